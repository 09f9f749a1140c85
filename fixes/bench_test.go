package fixes

import (
	"fmt"
	"slices"
	"testing"

	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/internal/genconf"
)

// BenchmarkPass times each pass alone on a config of 1k, 10k and 100k
// pairs (see genconf.BenchPairs) as the passes before it left it, so that
// it sees realistic input: their output is made once, and each run parses
// it outside the timer (re-running them there made a light pass's 100k
// benchmark take minutes).
func BenchmarkPass(b *testing.B) {
	for _, pairs := range genconf.BenchPairs(testing.Short()) {
		src := genconf.Bytes(pairs)
		for _, p := range All {
			b.Run(fmt.Sprintf("%s/pairs=%d", p.Name, pairs), func(b *testing.B) {
				in := benchParse(b, src)
				Run([]*ast.File{in}, DefaultOptions(), All[:slices.Index(All, p)])
				text := ast.Print(in)
				in = nil
				b.SetBytes(int64(len(text)))
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					b.StopTimer()
					f := benchParse(b, text)
					b.StartTimer()
					Run([]*ast.File{f}, DefaultOptions(), []*Pass{p})
				}
			})
		}
		src = nil
	}
}

func benchParse(b *testing.B, src []byte) *ast.File {
	f, err := ast.Parse("bench.conf", src)
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// BenchmarkAllPasses times the whole default pipeline after parsing, on
// one tree (RunParts, which the command uses on such a file, is timed by
// rewrite's BenchmarkRun).
func BenchmarkAllPasses(b *testing.B) {
	passes, _ := Select(nil, nil, nil)
	for _, pairs := range genconf.BenchPairs(testing.Short()) {
		src := genconf.Bytes(pairs)
		b.Run(fmt.Sprintf("pairs=%d", pairs), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				f := benchParse(b, src)
				b.StartTimer()
				Run([]*ast.File{f}, DefaultOptions(), passes)
			}
		})
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
