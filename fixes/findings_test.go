package fixes

import "testing"

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
	all := l.all()
	if len(all) != n {
		t.Fatalf("all() has %d findings, want %d", len(all), n)
	}
	for i, f := range all {
		if f.Line != i {
			t.Fatalf("finding %d has line %d: order lost", i, f.Line)
		}
	}
}
