package main

import (
	"runtime/debug"
	"testing"
)

// The limit of a run fixed in parts is 6.5× its input, enough for what
// the 10k-pair diff holds (3.3×) with room to collect in, and 1.5× the
// live heap when that is more, so that the collector never runs back to
// back.
func TestSplitLimit(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct{ input, live, want int64 }{
		{14 * mb, 0, 91 * mb},        // the benchmark's config, at the cut
		{14 * mb, 45 * mb, 91 * mb},  // and at its end
		{14 * mb, 66 * mb, 99 * mb},  // fix, which keeps the fixed text
		{14 * mb, 80 * mb, 120 * mb}, // a config with more findings per byte
		{4 * mb, 10 * mb, minHeapLimit},
	} {
		if got := splitLimit(c.input, c.live); got != c.want {
			t.Errorf("splitLimit(%d MB, %d MB) = %d MB, want %d MB", c.input/mb, c.live/mb, got/mb, c.want/mb)
		}
	}
}

// partDone raises the limit when the live heap calls for it and never
// lowers it; after the last part, by the input's size, for the merge.
func TestPartDoneOnlyRaises(t *testing.T) {
	g, restore := holdGC()
	defer restore()
	g.loaded(1 << 20)
	g.split()
	if got := debug.SetMemoryLimit(-1); got != minHeapLimit || g.limit != got {
		t.Fatalf("limit after split: %d (schedule says %d), want %d", got, g.limit, minHeapLimit)
	}
	g.limit = 1 << 40
	debug.SetMemoryLimit(g.limit)
	g.partDone(1, 2)
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("partDone lowered the limit to %d", got)
	}
	g.limit = 1
	g.partDone(1, 2)
	want := splitLimit(1<<20, liveHeap())
	if got := debug.SetMemoryLimit(-1); got != want || got < minHeapLimit {
		t.Errorf("partDone set %d, want %d", got, want)
	}
	if pct := debug.SetGCPercent(-1); pct != -1 {
		t.Errorf("collection at %d%% while parts are fixed, want only at the limit", pct)
	}
	g.partDone(2, 2)
	if got := debug.SetMemoryLimit(-1); got != want+1<<20 {
		t.Errorf("after the last part: limit %d, want %d (room for the merge)", got, want+1<<20)
	}
	if pct := debug.SetGCPercent(-1); pct != -1 {
		t.Errorf("collection at %d%% after the last part, want off", pct)
	}
}
