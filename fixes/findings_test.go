package fixes

import (
	"testing"

	"github.com/wsgifix/wsgifix/ast"
)

// A big run reports hundreds of thousands of findings; they are collected
// in chunks whose size doubles up to a cap. Past the cap the chunk count
// kept growing the shift that sized the next chunk until it overflowed
// (100k genconf pairs: "makeslice: cap out of range" in location-access).
func TestFindingListKeepsOrderPastManyChunks(t *testing.T) {
	const n = 600_000
	var l findingList
	for i := 0; i < n; i++ {
		l.add(record{line: i, pass: LocationAccess})
	}
	all := l.records()
	if len(all) != n {
		t.Fatalf("records() has %d findings, want %d", len(all), n)
	}
	for i, f := range all {
		if f.line != i {
			t.Fatalf("finding %d has line %d: order lost", i, f.line)
		}
	}
}

// A run reports its findings file by file, in the run's order, and by
// position within a file; findings at one position stay in pass order,
// whatever order the passes made them in.
func TestFindingsInReportOrder(t *testing.T) {
	b := mustParse(t, "b.conf", "Listen 80\nListen 81\n")
	a := mustParse(t, "a.conf", "Listen 82\n")
	// Each pass reports bottom-up, the last file first.
	report := func(name string) *Pass {
		return &Pass{Name: name, Run: func(c *Context) {
			for i := len(c.Files) - 1; i >= 0; i-- {
				f := c.Files[i]
				for j := len(f.Root.Body) - 1; j >= 0; j-- {
					c.Report(f, f.Root.Body[j].Pos(), Advice, false, "%s", name)
				}
			}
		}}
	}
	got := formatFindings(Run([]*ast.File{b, a}, DefaultOptions(), []*Pass{report("one"), report("two")}))
	want := `b.conf:1:1: [one] one (advice, unfixed)
b.conf:1:1: [two] two (advice, unfixed)
b.conf:2:1: [one] one (advice, unfixed)
b.conf:2:1: [two] two (advice, unfixed)
a.conf:1:1: [one] one (advice, unfixed)
a.conf:1:1: [two] two (advice, unfixed)
`
	if got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
}

func mustParse(t *testing.T, name, src string) *ast.File {
	t.Helper()
	f, err := ast.Parse(name, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return f
}
