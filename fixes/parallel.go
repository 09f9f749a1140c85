package fixes

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/wsgifix/wsgifix/ast"
)

// Passes that look at one part of a server at a time split the parts over
// goroutines when a run has many: static-alias and location-access their
// vhosts, access-compat the top-level sections holding its blocks,
// daemon-sizing its definitions. A part's work reads and edits only that
// part, plus what is settled before the work starts (the server-level
// Directory index, the daemon index, Apache's user); each chunk of parts
// reports into its own list, and the lists are joined in part order, so
// the result is the same as one goroutine's.

// minSitesPerWorker: with fewer vhosts per goroutine than this, a pass
// stays on one (tests lower it to run the goldens in parallel).
var minSitesPerWorker = 256

// eachVhost calls work(c, vh) for every vhost of vhs, in order, or split
// over goroutines (see eachPart) when no vhost lies inside another.
func (c *Context) eachVhost(vhs []*ast.Section, settle func(), work func(c *Context, vh *ast.Section)) {
	if !separateVhosts(vhs) {
		for _, vh := range vhs {
			work(c, vh)
		}
		return
	}
	c.eachPart(len(vhs), settle, func(c *Context, i int) { work(c, vhs[i]) })
}

// eachPart calls work(c, i) for every i in [0, n), in order, or on up to
// GOMAXPROCS goroutines that take contiguous chunks of parts as they
// become free (a core slowed by other work then takes fewer chunks), each
// chunk with its own Context, whose findings are added to c's in order of
// i. work must only touch part i and what does not change while it runs;
// settle, when the work is split, is called first to build what the
// goroutines share. A panic in work is raised again in the caller.
func (c *Context) eachPart(n int, settle func(), work func(c *Context, i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/minSitesPerWorker)
	if workers < 2 {
		for i := 0; i < n; i++ {
			work(c, i)
		}
		return
	}
	if settle != nil {
		settle()
	}
	// About eight chunks per goroutine: enough to even out, few enough
	// that taking one costs nothing next to its work.
	size := max(1, n/(workers*chunksPerWorker))
	chunks := make([]Context, (n+size-1)/size)
	onWorkers(len(chunks), workers, func(k int) {
		sub := &chunks[k]
		*sub = Context{Files: c.Files, Opts: c.Opts, pass: c.pass, daemons: c.daemons, plans: c.plans, inPart: c.inPart}
		for i := k * size; i < min(n, (k+1)*size); i++ {
			work(sub, i)
		}
	})
	for k := range chunks {
		c.findings.addAll(&chunks[k].findings)
		for site, plans := range chunks[k].planned {
			c.keepPlans(site, plans)
		}
	}
}

// onWorkers calls fn(k) for every k in [0, n) on up to workers goroutines,
// each taking the next k as it becomes free. A panic in fn is raised
// again in the caller once every goroutine has stopped.
func onWorkers(n, workers int, fn func(k int)) {
	workers = max(1, min(workers, n))
	panics := make([]any, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[w] = recover() }()
			for {
				k := int(next.Add(1) - 1)
				if k >= n {
					return
				}
				fn(k)
			}
		}()
	}
	wg.Wait()
	for _, v := range panics {
		if v != nil {
			panic(v)
		}
	}
}

// chunksPerWorker is how many chunks eachPart cuts per goroutine.
const chunksPerWorker = 8

// separateVhosts reports whether vhs can be worked on in parallel: no vhost
// lies inside another, so their subtrees are disjoint.
func separateVhosts(vhs []*ast.Section) bool {
	for _, vh := range vhs {
		if VirtualHostOf(vh) != nil {
			return false
		}
	}
	return true
}

// inParallel runs f and g, on two goroutines when parallel. A panic in
// either is raised again in the caller.
func inParallel(parallel bool, f, g func()) {
	if !parallel || runtime.GOMAXPROCS(0) < 2 {
		f()
		g()
		return
	}
	var wg sync.WaitGroup
	var lost any
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer func() { lost = recover() }()
		g()
	}()
	f()
	wg.Wait()
	if lost != nil {
		panic(lost)
	}
}
