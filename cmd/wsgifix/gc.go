package main

import (
	"math"
	"runtime/debug"
)

// The garbage collector is sized to the run. Nearly everything a run
// allocates stays live until it ends (the trees, findings, the text before
// and after, diffs), so collecting while the heap grows would mostly rescan
// live data: the 10k-pair benchmark config spent a sixth of its CPU time
// marking. Collection is therefore off while the files are read and parsed
// (what that allocates is the trees themselves), and afterwards held off
// until the heap nears a limit sized from the input; there the runtime
// collects as often as it must to stay near the limit, so a run that needs
// more still completes.
const (
	// The limit is heapPerInputByte × input + heapSlack. The live peak of
	// the benchmark runs is 11-13× their input; at 16× alone the 10k-pair
	// runs collected back to back near it (19 cycles in the 10,000-file
	// fix, a quarter of its CPU time). The slack gives them room (one or
	// two cycles), while a 100k-pair run stays near 16×: there every
	// fresh megabyte is a page fault to pay, which cost more than the
	// collections (24× made it 8 % slower).
	heapPerInputByte = 16
	heapSlack        = 96 << 20
	// minHeapLimit is the limit for small runs.
	minHeapLimit = 64 << 20
)

// holdGC turns collection off until sizeGC is called. It returns a
// function that restores the settings it found (for tests, which run many
// invocations in one process).
func holdGC() (restore func()) {
	percent := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(math.MaxInt64)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}

// sizeGC sets the heap limit for a run whose input is bytes long.
func sizeGC(bytes int64) {
	limit := int64(minHeapLimit)
	if bytes > 0 && bytes < (math.MaxInt64-heapSlack)/heapPerInputByte {
		limit = max(limit, heapPerInputByte*bytes+heapSlack)
	}
	debug.SetMemoryLimit(limit)
}
