package rewrite

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// forEach calls fn(i) for i in [0, n) on up to jobs goroutines. Results go
// into slots the caller indexes by i, so output order never depends on
// scheduling. progress, if set, is told how many calls have finished.
func forEach(n, jobs int, progress func(done, total int), fn func(i int)) {
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	jobs = min(jobs, n)
	var done atomic.Int64
	report := func() {
		if progress != nil {
			progress(int(done.Add(1)), n)
		}
	}
	if jobs <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
			report()
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
				report()
			}
		}()
	}
	wg.Wait()
}
