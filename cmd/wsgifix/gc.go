package main

import (
	"math"
	"runtime"
	"runtime/debug"
)

// The garbage collector is scheduled around the run's phases. Nearly
// everything a run allocates before its trees are printed stays live until
// then (the trees, the findings, the text before), so collecting while the
// passes run would mostly rescan live data. So:
//
//   - collection is off while the files are read, parsed and fixed, up to
//     a heap limit of 16× the input + 160 MB: fixed as one tree, the
//     10k-pair benchmark config (13.6 MB) peaks near 310 MB and never
//     reaches it, while a 100k-pair one does, and collecting there is
//     cheaper than faulting in fresh pages for every byte of garbage (a
//     32× limit made that run 25 % slower and 3.1 GB instead of 2.2 GB);
//   - a run whose one big file is fixed part by part (fixes.RunParts, as
//     those two configs are) turns collection on once the parts are
//     planned: it then holds the input and its results, not trees;
//   - once every tree is printed, the trees are garbage: one collection
//     then frees them, and the diffs and output reuse that memory.
const (
	// limitPerInputByte × input + heapSlack is the run's heap limit.
	limitPerInputByte = 16
	heapSlack         = 160 << 20
	// minHeapLimit is the limit for small runs.
	minHeapLimit = 64 << 20
)

// gcSchedule holds collection off for one run (see above). Its methods are
// the rewrite.Options hooks.
type gcSchedule struct{}

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
	debug.SetMemoryLimit(heapLimit(limitPerInputByte, bytes))
}

// split turns collection on for a run whose one big file is fixed part
// by part (rewrite.Options.Split): its live heap then stays small, and
// collecting reuses the parts' memory instead of faulting in new pages.
func (g *gcSchedule) split() {
	debug.SetGCPercent(100)
}

// printed collects the trees. The limit stays: lowering it here would
// make the runtime hand the trees' pages back to the kernel (820 ms of
// madvise in a 100k-pair run) just before the diffs fault them in again.
func (g *gcSchedule) printed() {
	runtime.GC()
}

// heapLimit is perByte × bytes + heapSlack, at least minHeapLimit.
func heapLimit(perByte, bytes int64) int64 {
	limit := int64(minHeapLimit)
	if bytes > 0 && bytes < (math.MaxInt64-heapSlack)/perByte {
		limit = max(limit, perByte*bytes+heapSlack)
	}
	return limit
}
