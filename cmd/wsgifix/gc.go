package main

import (
	"math"
	"runtime"
	"runtime/debug"
)

// The garbage collector is scheduled around the run's phases. Nearly
// everything a run allocates before its trees are printed stays live until
// then (the trees, the findings, the text before), so collecting while the
// passes run would mostly rescan live data, and a collection near a heap
// limit also made the runtime hand pages back to the kernel that the next
// phase faulted in again. So:
//
//   - collection is off while the files are read, parsed and fixed, with
//     a heap limit sized from the input as a safety net that a normal run
//     does not reach (the 10k-pair benchmark config peaks near 22× its
//     input; the limit is 32×);
//   - once every tree is printed, the trees are garbage: one collection
//     then frees them, and the diffs reuse that memory;
//   - afterwards a tighter limit bounds the rest of the run.
const (
	// passLimitPerInputByte × input + heapSlack is the limit while the
	// passes run, finalLimitPerInputByte × input + heapSlack after the
	// trees are collected.
	passLimitPerInputByte  = 32
	finalLimitPerInputByte = 16
	heapSlack              = 96 << 20
	// minHeapLimit is the limit for small runs.
	minHeapLimit = 64 << 20
)

// gcSchedule holds collection off for one run (see above). Its methods are
// the rewrite.Options hooks.
type gcSchedule struct {
	input int64 // bytes of text the run read
}

// holdGC turns collection off until the run's input is known. It returns
// the schedule and a function that restores the settings it found (for
// tests, which run many invocations in one process).
func holdGC() (*gcSchedule, func()) {
	percent := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(math.MaxInt64)
	return &gcSchedule{}, func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}

// loaded sets the safety-net limit for a run whose input is bytes long.
func (g *gcSchedule) loaded(bytes int64) {
	g.input = bytes
	debug.SetMemoryLimit(heapLimit(passLimitPerInputByte, bytes))
}

// printed collects the trees and sets the limit for the rest of the run.
func (g *gcSchedule) printed() {
	runtime.GC()
	debug.SetMemoryLimit(heapLimit(finalLimitPerInputByte, g.input))
}

// heapLimit is perByte × bytes + heapSlack, at least minHeapLimit.
func heapLimit(perByte, bytes int64) int64 {
	limit := int64(minHeapLimit)
	if bytes > 0 && bytes < (math.MaxInt64-heapSlack)/perByte {
		limit = max(limit, perByte*bytes+heapSlack)
	}
	return limit
}
