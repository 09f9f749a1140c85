package fixes

import (
	"runtime"
	"sync"

	"github.com/wsgifix/wsgifix/ast"
)

// Passes that look at one part of a server at a time split the parts over
// goroutines when a run has many: static-alias and location-access their
// vhosts, access-compat the top-level sections holding its blocks,
// daemon-sizing its definitions. A part's work reads and edits only that
// part, plus what is settled before the work starts (the server-level
// Directory index, the daemon index, Apache's user); each goroutine
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
// GOMAXPROCS goroutines, each with its own Context and a contiguous range
// of parts, whose findings are added to c's in order of i. work must only
// touch part i and what does not change while it runs; settle, when the
// work is split, is called first to build what the goroutines share. A
// panic in work is raised again in the caller.
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
	subs := make([]Context, workers)
	panics := make([]any, workers)
	var wg sync.WaitGroup
	for w := range subs {
		subs[w] = Context{Files: c.Files, Opts: c.Opts, pass: c.pass, daemons: c.daemons}
		from, to := w*n/workers, (w+1)*n/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[w] = recover() }()
			for i := from; i < to; i++ {
				work(&subs[w], i)
			}
		}()
	}
	wg.Wait()
	for _, v := range panics {
		if v != nil {
			panic(v)
		}
	}
	for w := range subs {
		c.findings.addAll(&subs[w].findings)
	}
}

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
