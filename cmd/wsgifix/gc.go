package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
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
//     those two configs are) collects once the parts are planned, when
//     the heap reaches a memory limit of 6.5× the input (collection stays
//     off otherwise): it then holds the input and its results, not trees
//     (3.3× the input for the 10k-pair diff, whose fixed text and diff are
//     written as they are made, not held), and collecting keeps it within
//     8× the input (7.1-7.3× for that diff). Collecting at 100 % growth under
//     a 5.5× limit instead ran 17 times in the 10k-pair diff and was 3 %
//     slower (382 against 392 ms, medians of 25 interleaved runs).
//     The limit stays at least 1.5× what the last collection found live,
//     so that a run that holds more (fix keeps the fixed text, a config
//     may have more findings per byte) never has the collector running
//     back to back. After the last part the limit grows by the input's
//     size, so that joining the findings does not collect (see
//     partDone);
//   - once every tree is printed, the trees are garbage: one collection
//     then frees them, and the diffs and output reuse that memory.
const (
	// limitPerInputByte × input + heapSlack is the run's heap limit.
	limitPerInputByte = 16
	heapSlack         = 160 << 20
	// minHeapLimit is the limit for small runs.
	minHeapLimit = 64 << 20
	// splitPerHalfInputByte × input/2 is the limit of a run fixed in
	// parts (6.5×).
	splitPerHalfInputByte = 13
)

// gcSchedule holds collection off for one run (see above). Its methods are
// the rewrite.Options hooks.
type gcSchedule struct {
	input int64 // bytes
	mu    sync.Mutex
	limit int64 // in parts mode
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
	debug.SetMemoryLimit(heapLimit(limitPerInputByte, bytes))
}

// split sets the memory limit of a run whose one big file is fixed part
// by part (rewrite.Options.Split): its live heap then stays small, and
// collecting at the limit reuses the parts' memory instead of faulting in
// new pages.
func (g *gcSchedule) split() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.limit = splitLimit(g.input, 0)
	debug.SetMemoryLimit(g.limit)
}

// partDone raises the limit of a run fixed in parts when what it holds
// grows close to it (see above); it never lowers it. After the last part
// it grows by the input's size: what may be left (joining the parts'
// findings into one slice, about the input's size for a config as broken
// as the benchmark's, and writing them, when they were not written as the
// parts were done: --format json, or progress on stderr) keeps what it
// allocates, and a collection there marked the whole live heap while the
// merge waited (150-350 ms of a 100k-pair run, against 40-80 without).
func (g *gcSchedule) partDone(done, total int) {
	live := liveHeap()
	g.mu.Lock()
	defer g.mu.Unlock()
	l := splitLimit(g.input, live)
	if done == total {
		l = max(l, g.limit) + g.input
	}
	if l > g.limit {
		g.limit = l
		debug.SetMemoryLimit(l)
	}
}

// splitLimit is the memory limit of a run fixed in parts, input bytes
// long, whose last collection found live bytes in use.
func splitLimit(input, live int64) int64 {
	return max(splitPerHalfInputByte*(input/2), live+live/2, minHeapLimit)
}

// liveHeap is the heap the last collection found live.
func liveHeap() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
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
