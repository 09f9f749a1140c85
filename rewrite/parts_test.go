package rewrite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/fixes"
	"github.com/wsgifix/wsgifix/internal/difftest"
	"github.com/wsgifix/wsgifix/internal/genconf"
)

// A big single config is fixed part by part (fixes.RunParts): the run
// says so through Options.Split, and its text, findings and diff are what
// fixing it as one tree gives. Small files and runs of several files are
// not cut.
func TestRunFixesBigFileInParts(t *testing.T) {
	dir := t.TempDir()
	src := genconf.Bytes(3200) // 4.3 MB, past the size from which files are cut
	big := filepath.Join(dir, "httpd.conf")
	small := filepath.Join(dir, "small.conf")
	if err := os.WriteFile(big, src, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(small, genconf.Bytes(10), 0o644); err != nil {
		t.Fatal(err)
	}
	var calls, lastDone, lastTotal atomic.Int64
	run := func(paths ...string) (*Result, int) {
		t.Helper()
		opts := DefaultOptions()
		splits := 0
		opts.Split = func() { splits++ }
		opts.PartProgress = func(done, total int) {
			calls.Add(1)
			lastTotal.Store(int64(total))
			for d := lastDone.Load(); int64(done) > d && !lastDone.CompareAndSwap(d, int64(done)); d = lastDone.Load() {
			}
		}
		r, err := Run(context.Background(), opts, paths)
		if err != nil || r.Err() != nil {
			t.Fatal(err, r.Err())
		}
		return r, splits
	}

	r, splits := run(big)
	if splits != 1 {
		t.Fatalf("Split called %d times for the big file, want 1", splits)
	}
	whole, err := ast.Parse(big, src)
	if err != nil {
		t.Fatal(err)
	}
	passes, _ := fixes.Select(nil, nil, nil)
	found := fixes.Run([]*ast.File{whole}, fixes.DefaultOptions(), passes)
	want := ast.Print(whole)
	f := r.Files[0]
	if string(f.After) != string(want) {
		t.Fatalf("fixed in parts, the text differs from fixing it whole:\n%s", difftest.Diff(string(want), string(f.After)))
	}
	if d := difftest.Diff(findingsText(found), findingsText(f.Findings)); d != "" {
		t.Errorf("fixed in parts, the findings differ:\n%s", d)
	}
	if !f.Changed || f.Diff != Diff(big, src, want) {
		t.Errorf("changed=%v; the diff is not the diff of the whole file's fix", f.Changed)
	}
	if n := calls.Load(); n < 2 || n != lastTotal.Load() || lastDone.Load() != n {
		t.Errorf("PartProgress: %d calls, last total %d, most done %d", n, lastTotal.Load(), lastDone.Load())
	}

	// Streamed, the diff is not held but written out the same.
	opts := DefaultOptions()
	opts.StreamDiff = true
	r, err = Run(context.Background(), opts, []string{big})
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	if err := r.Files[0].WriteDiff(&sb); err != nil || r.Files[0].Diff != "" || sb.String() != Diff(big, src, want) {
		t.Errorf("streamed diff: err %v, File.Diff %d bytes, written diff right: %v", err, len(r.Files[0].Diff), sb.String() == Diff(big, src, want))
	}

	if _, splits := run(small); splits != 0 {
		t.Errorf("a small file was cut into parts")
	}
	if _, splits := run(big, small); splits != 0 {
		t.Errorf("a run of two files was cut into parts")
	}
}
