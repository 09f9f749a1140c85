package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress shows "reading 120/10000 files" on stderr for long runs on a
// terminal.
type progress struct {
	w       io.Writer
	start   time.Time
	delay   time.Duration
	mu      sync.Mutex
	name    string
	unit    string
	done    int
	total   int
	shown   bool
	quit    chan struct{}
	stopped sync.WaitGroup
}

func (a *app) startProgress() *progress {
	p := &progress{w: a.stderr, start: time.Now(), delay: a.progressDelay}
	if !isTerminal(a.stderr) {
		return p
	}
	p.quit = make(chan struct{})
	p.stopped.Add(1)
	go p.loop()
	return p
}

// phase returns the callback the engine reports to while in phase name,
// counting units ("files", "parts").
func (p *progress) phase(name, unit string) func(done, total int) {
	if p.quit == nil {
		return nil
	}
	return func(done, total int) {
		p.mu.Lock()
		p.name, p.unit, p.done, p.total = name, unit, done, total
		p.mu.Unlock()
	}
}

func (p *progress) loop() {
	defer p.stopped.Done()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.quit:
			if p.shown {
				fmt.Fprint(p.w, "\r\x1b[K")
			}
			return
		case <-tick.C:
			if time.Since(p.start) < p.delay {
				continue
			}
			p.mu.Lock()
			if p.total > 0 {
				fmt.Fprintf(p.w, "\r\x1b[Kwsgifix: %s %d/%d %s", p.name, p.done, p.total, p.unit)
				p.shown = true
			}
			p.mu.Unlock()
		}
	}
}

func (p *progress) stop() {
	if p.quit == nil {
		return
	}
	close(p.quit)
	p.stopped.Wait()
	p.quit = nil
}
