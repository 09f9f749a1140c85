package rewrite

import (
	"bytes"
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
	var printed int
	run := func(paths ...string) (*Result, int) {
		t.Helper()
		opts := DefaultOptions()
		splits := 0
		printed = 0
		opts.Split = func() { splits++ }
		opts.Printed = func() { printed++ }
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
	if printed != 0 {
		t.Errorf("Printed called %d times for a file fixed in parts, which leaves no tree to collect", printed)
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

	// With Include the file is parsed for its Include lines first; a main
	// config that includes nothing is still fixed in parts.
	opts = DefaultOptions()
	opts.Include = true
	cuts := 0
	opts.Split = func() { cuts++ }
	r, err = Run(context.Background(), opts, []string{big})
	if err != nil || r.Err() != nil || cuts != 1 || string(r.Files[0].After) != string(want) {
		t.Errorf("with Include: err %v, %v; cut %d times; text right: %v", err, r.Err(), cuts, string(r.Files[0].After) == string(want))
	}

	// With DiffOut, the diff is written while the parts are fixed and
	// neither it nor the fixed text is kept; such a result is not written.
	var out bytes.Buffer
	opts = DefaultOptions()
	opts.DiffOut = &out
	r, err = Run(context.Background(), opts, []string{big})
	if err != nil {
		t.Fatal(err)
	}
	if f := r.Files[0]; out.String() != Diff(big, src, want) || !f.Changed || f.After != nil || f.Diff != "" {
		t.Errorf("DiffOut: diff right %v, changed %v, After %d bytes, Diff %d bytes", out.String() == Diff(big, src, want), f.Changed, len(f.After), len(f.Diff))
	}
	if d := difftest.Diff(findingsText(found), findingsText(r.Files[0].Findings)); d != "" {
		t.Errorf("DiffOut: the findings differ:\n%s", d)
	}
	out.Reset()
	if r.Files[0].WriteDiff(&out); out.Len() != 0 {
		t.Error("WriteDiff wrote the diff DiffOut had")
	}
	if err := r.Write(context.Background(), WriteOptions{}); err == nil || !strings.Contains(err.Error(), "kept no fixed text") {
		t.Errorf("Write of a result without fixed text: %v", err)
	}
	if b, _ := os.ReadFile(big); string(b) != string(src) {
		t.Error("the file was written")
	}

	if _, splits := run(small); splits != 0 || printed != 1 {
		t.Errorf("a small file: cut into parts %d times, Printed called %d times (want 0, 1)", splits, printed)
	}
	if _, splits := run(big, small); splits != 0 || printed != 1 {
		t.Errorf("a run of two files: cut into parts %d times, Printed called %d times (want 0, 1)", splits, printed)
	}
}

// With DiffOut and several files (not cut into parts), every changed
// file's diff is written there in file order, as WriteDiff would.
func TestRunDiffOutWritesInFileOrder(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	var want strings.Builder
	for _, name := range []string{"a.conf", "b.conf", "c.conf", "d.conf"} {
		p := filepath.Join(dir, name)
		src := genconf.Bytes(3)
		if name == "c.conf" {
			src = []byte("# nothing to fix\n")
		}
		if err := os.WriteFile(p, src, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	r, err := Run(context.Background(), DefaultOptions(), paths)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Files {
		want.WriteString(f.Diff)
	}
	var out bytes.Buffer
	opts := DefaultOptions()
	opts.DiffOut = &out
	if _, err := Run(context.Background(), opts, paths); err != nil {
		t.Fatal(err)
	}
	if out.String() != want.String() || strings.Count(want.String(), "\n--- ") < 2 {
		t.Errorf("DiffOut got %d bytes, the files' diffs are %d", out.Len(), want.Len())
	}
}

// SkipDiff leaves out the diffs, nothing else: a big file fixed in parts
// and small ones get the same text and Changed as with diffs, no Diff and
// no kept edit script, and WriteDiff still writes the diff when asked.
func TestRunSkipDiff(t *testing.T) {
	dir := t.TempDir()
	big, small := filepath.Join(dir, "big.conf"), filepath.Join(dir, "small.conf")
	if err := os.WriteFile(big, genconf.Bytes(3200), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(small, genconf.Bytes(3), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, paths := range [][]string{{big}, {big, small}} {
		want, err := Run(context.Background(), DefaultOptions(), paths)
		if err != nil {
			t.Fatal(err)
		}
		opts := DefaultOptions()
		opts.SkipDiff = true
		got, err := Run(context.Background(), opts, paths)
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range got.Files {
			w := want.Files[i]
			if string(f.After) != string(w.After) || f.Changed != w.Changed || !f.Changed {
				t.Errorf("%s: SkipDiff changed the result (changed %v, want %v)", f.Path, f.Changed, w.Changed)
			}
			if f.Diff != "" || f.ops != nil {
				t.Errorf("%s: SkipDiff kept a diff (%d bytes) or a script (%d runs)", f.Path, len(f.Diff), len(f.ops))
			}
			var sb strings.Builder
			if err := f.WriteDiff(&sb); err != nil || sb.String() != w.Diff {
				t.Errorf("%s: WriteDiff after SkipDiff wrote %d bytes (%v), want %d", f.Path, sb.Len(), err, len(w.Diff))
			}
		}
	}
}

// With FindingsOut, a big file's findings are written as its parts are
// fixed, one per line in the order fixing it whole reports them, and not
// kept; UnfixedErrors still counts those among them. A file whose Include
// lines gave findings keeps them all, sorted in by position.
func TestRunFindingsOutWritesAsPartsAreDone(t *testing.T) {
	dir := t.TempDir()
	// An unfixable conflict in the middle of the file (left alone under
	// the default --daemon-conflict), so that one part has an unfixed error.
	clash := "<VirtualHost *:80>\n    ServerName clash.example.com\n" +
		"    WSGIDaemonProcess clash processes=2\n    WSGIDaemonProcess clash processes=4\n" +
		"    WSGIProcessGroup clash\n    WSGIScriptAlias / /srv/clash/wsgihandler.py\n</VirtualHost>\n"
	src := pairsAround(clash)
	big := filepath.Join(dir, "httpd.conf")
	if err := os.WriteFile(big, src, 0o644); err != nil {
		t.Fatal(err)
	}
	kept, err := Run(context.Background(), DefaultOptions(), []string{big})
	if err != nil {
		t.Fatal(err)
	}
	want := findingsText(kept.Files[0].Findings) + "\n"
	if n := kept.UnfixedErrors(); n != 1 {
		t.Fatalf("the config has %d unfixed errors, want 1", n)
	}
	for _, diff := range []bool{false, true} {
		var found, diffs bytes.Buffer
		opts := DefaultOptions()
		opts.FindingsOut = &found
		cuts := 0
		opts.Split = func() { cuts++ }
		if diff {
			opts.DiffOut = &diffs
		}
		r, err := Run(context.Background(), opts, []string{big})
		if err != nil || r.Err() != nil {
			t.Fatal(err, r.Err())
		}
		if cuts != 1 {
			t.Fatalf("cut %d times, want 1", cuts)
		}
		if d := difftest.Diff(want, found.String()); d != "" {
			t.Errorf("DiffOut %v: FindingsOut got other findings than the run keeps:\n%s", diff, d)
		}
		if len(r.Findings) != 0 || len(r.Files[0].Findings) != 0 {
			t.Errorf("DiffOut %v: %d findings kept in the Result, %d in the file; want none", diff, len(r.Findings), len(r.Files[0].Findings))
		}
		if n := r.UnfixedErrors(); n != 1 {
			t.Errorf("DiffOut %v: UnfixedErrors = %d, want 1", diff, n)
		}
		if diff && diffs.String() != kept.Files[0].Diff {
			t.Errorf("DiffOut: the diff written beside the findings is not the file's diff")
		}
	}

	// An Include of an unset ${VAR} gives a finding on its line: the file
	// is still cut, but its findings are kept, in line order.
	withInclude := pairsAround("<VirtualHost *:80>\n    IncludeOptional ${NOTHING_HERE}/*.conf\n</VirtualHost>\n")
	if err := os.WriteFile(big, withInclude, 0o644); err != nil {
		t.Fatal(err)
	}
	var found bytes.Buffer
	opts := DefaultOptions()
	opts.Include, opts.FindingsOut = true, &found
	opts.LookupEnv = func(string) (string, bool) { return "", false }
	cuts := 0
	opts.Split = func() { cuts++ }
	r, err := Run(context.Background(), opts, []string{big})
	if err != nil || r.Err() != nil || cuts != 1 {
		t.Fatal(err, r.Err(), cuts)
	}
	fs := r.Files[0].Findings
	if found.Len() != 0 || len(fs) == 0 {
		t.Fatalf("with Include findings: %d bytes written to FindingsOut, %d kept; want 0 written", found.Len(), len(fs))
	}
	include := -1
	for i, f := range fs {
		if i > 0 && (f.Line < fs[i-1].Line || (f.Line == fs[i-1].Line && f.Col < fs[i-1].Col)) {
			t.Fatalf("finding %d (%s) is before the one above it (%s)", i, f, fs[i-1])
		}
		if strings.Contains(f.Message, "NOTHING_HERE") {
			include = i
		}
	}
	if include <= 0 || include == len(fs)-1 {
		t.Errorf("the Include line's finding is at %d of %d findings, want among the vhosts' (by its line)", include, len(fs))
	}
}

// pairsAround is 3,200 genconf pairs, enough to be cut into parts, with
// vhost in the middle.
func pairsAround(vhost string) []byte {
	var b bytes.Buffer
	for i := range 3200 {
		if i == 1600 {
			b.WriteString(vhost)
		}
		b.WriteString(genconf.Pair(i))
	}
	return b.Bytes()
}
