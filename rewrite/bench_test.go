package rewrite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/wsgifix/wsgifix/fixes"
	"github.com/wsgifix/wsgifix/internal/genconf"
)

// BenchmarkRun is `wsgifix diff FILE` without the process around it: read,
// parse, every default pass, print and diff of one generated config of 1k,
// 10k and 100k pairs (see genconf.BenchPairs).
func BenchmarkRun(b *testing.B) {
	for _, pairs := range genconf.BenchPairs(testing.Short()) {
		path := filepath.Join(b.TempDir(), "httpd.conf")
		src := genconf.Bytes(pairs)
		if err := os.WriteFile(path, src, 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("pairs=%d", pairs), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				r, err := Run(context.Background(), DefaultOptions(), []string{path})
				if err != nil {
					b.Fatal(err)
				}
				if f := r.Files[0]; f.Err != nil || f.Diff == "" {
					b.Fatalf("no diff (err %v)", f.Err)
				}
			}
		})
	}
}

// BenchmarkRunTree is `wsgifix diff DIR` over 2,000 files of one pair each
// (the shape of `wsgifix fix` over a sites directory, without the writes).
func BenchmarkRunTree(b *testing.B) {
	dir := b.TempDir()
	if err := genconf.WriteTree(dir, 2000); err != nil {
		b.Fatal(err)
	}
	sites := filepath.Join(dir, "sites")
	b.ReportAllocs()
	for b.Loop() {
		r, err := Run(context.Background(), DefaultOptions(), []string{sites})
		if err != nil {
			b.Fatal(err)
		}
		if !r.Changed() {
			b.Fatal("nothing changed")
		}
	}
}

// BenchmarkDiff renders the diff of a config of 1k, 10k and 100k pairs
// before and after the default passes (at 10k, 400k lines with about 150k
// changed).
func BenchmarkDiff(b *testing.B) {
	passes, _ := fixes.Select(nil, nil, nil)
	for _, pairs := range genconf.BenchPairs(testing.Short()) {
		path := filepath.Join(b.TempDir(), "httpd.conf")
		src := genconf.Bytes(pairs)
		if err := os.WriteFile(path, src, 0o644); err != nil {
			b.Fatal(err)
		}
		r, err := Run(context.Background(), Options{Passes: passes, Fix: fixes.DefaultOptions()}, []string{path})
		if err != nil {
			b.Fatal(err)
		}
		before, after := r.Files[0].Before, r.Files[0].After
		b.Run(fmt.Sprintf("pairs=%d", pairs), func(b *testing.B) {
			b.SetBytes(int64(len(before)))
			b.ReportAllocs()
			for b.Loop() {
				if d := Diff("httpd.conf", before, after); d == "" {
					b.Fatal("empty diff")
				}
			}
		})
	}
}
