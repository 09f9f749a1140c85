package ast

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/wsgifix/wsgifix/internal/genconf"
)

// BenchmarkParsePrint measures the round trip on generated configs of 1k,
// 10k and 100k vhost pairs (1.4, 13.6 and 140 MB). SetBytes makes `go test`
// report MB/s; compare with `cat` via scripts/bench.sh.
func BenchmarkParsePrint(b *testing.B) {
	for _, pairs := range genconf.BenchPairs(testing.Short()) {
		src := genconf.Bytes(pairs)
		b.Run(fmt.Sprintf("pairs=%d", pairs), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				f, err := Parse("bench.conf", src)
				if err != nil {
					b.Fatal(err)
				}
				if out := Print(f); len(out) != len(src) {
					b.Fatal("round trip lost bytes")
				}
			}
		})
	}
}

// BenchmarkArgs measures tokenising every directive's arguments, which
// passes do lazily.
func BenchmarkArgs(b *testing.B) {
	src := genconf.Bytes(10000)
	f, _ := Parse("bench.conf", src)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Directives(f, func(d *Directive) { d.forgetArgs(); d.Args() })
	}
}

func TestGeneratedConfigRoundTrips(t *testing.T) {
	src := genconf.Bytes(50)
	f := checkRoundTrip(t, "gen", src)
	if n := bytes.Count(src, []byte("<VirtualHost")); n != 100 {
		t.Fatalf("%d vhosts", n)
	}
	if probs := CheckStructure(f); len(probs) != 50 {
		t.Fatalf("%d problems, want one mismatched tag per pair", len(probs))
	}
}
