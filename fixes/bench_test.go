package fixes

import (
	"testing"

	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/internal/genconf"
)

// BenchmarkPass times each pass alone on a freshly parsed 10k-pair config
// (13.6 MB), the passes before it already applied so it sees realistic
// input. Parsing and the earlier passes are outside the timer.
func BenchmarkPass(b *testing.B) {
	src := genconf.Bytes(10000)
	for i, p := range All {
		b.Run(p.Name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				f, err := ast.Parse("bench.conf", src)
				if err != nil {
					b.Fatal(err)
				}
				Run([]*ast.File{f}, DefaultOptions(), All[:i])
				b.StartTimer()
				Run([]*ast.File{f}, DefaultOptions(), []*Pass{p})
			}
		})
	}
}

// BenchmarkAllPasses times the whole default pipeline after parsing.
func BenchmarkAllPasses(b *testing.B) {
	src := genconf.Bytes(10000)
	passes, _ := Select(nil, nil, nil)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		f, _ := ast.Parse("bench.conf", src)
		b.StartTimer()
		Run([]*ast.File{f}, DefaultOptions(), passes)
	}
}

// BenchmarkPlanParts times planning the parts of the 10k-pair config
// from its outline (RunParts' serial start).
func BenchmarkPlanParts(b *testing.B) {
	src := genconf.Bytes(10000)
	passes, _ := Select(nil, nil, nil)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if parts, _ := planParts("bench.conf", src, DefaultOptions(), passes); parts == nil {
			b.Fatal("not cut")
		}
	}
}
