package fixes

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strconv"
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

// sortByPos merges runs instead of sorting: on any order of records, with
// many at one position, it must give what a stable sort gives.
func TestSortByPosIsAStableSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 7, 64, 1000} {
		for round := range 20 {
			recs := make([]record, n)
			for i := range recs {
				recs[i] = record{line: rng.IntN(1 + n/4), col: int32(rng.IntN(3)), msg: strconv.Itoa(i)}
				if round%4 == 0 && i > 0 { // long runs in order, as passes make them
					recs[i].line = recs[i-1].line + rng.IntN(2)
				}
			}
			want := slices.Clone(recs)
			slices.SortStableFunc(want, func(a, b record) int {
				return cmp.Or(cmp.Compare(a.line, b.line), cmp.Compare(a.col, b.col))
			})
			order := make([]int32, n)
			for i := range order {
				order[i] = int32(i)
			}
			ptrs := make([]*record, n)
			for i := range recs {
				ptrs[i] = &recs[i]
			}
			sortByPos(order, ptrs)
			for i, k := range order {
				if recs[k] != want[i] {
					t.Fatalf("n=%d round %d: at %d got %+v, want %+v", n, round, i, recs[k], want[i])
				}
			}
		}
	}
}
