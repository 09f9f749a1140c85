package fixes

import (
	"runtime"
	"sync"

	"github.com/wsgifix/wsgifix/ast"
)

// Walking every directive of a big run is mostly waiting for memory (the
// nodes are spread over the heap once passes have edited the tree), so
// the walks that only look are done on two goroutines at once, each over
// its own part of the run, and their results joined in load order.

// parallelWalk is the input size from which collect walks in parallel.
var parallelWalk = 1 << 20 // a variable for tests

// collect returns the plain directives of files, in load order, for which
// keep is true. keep may read anything but change only d (reading an
// argument keeps its list on d).
func collect(files []*ast.File, keep func(d *ast.Directive) bool) []*ast.Directive {
	parts, total := walkParts(files)
	if total < parallelWalk || len(parts) < 2 || runtime.GOMAXPROCS(0) < 2 {
		var out []*ast.Directive
		for _, p := range parts {
			out = p.collect(out, keep)
		}
		return out
	}
	// Two goroutines, each a run of parts holding about half the bytes.
	cut := halfway(parts)
	var tail []*ast.Directive
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, p := range parts[cut:] {
			tail = p.collect(tail, keep)
		}
	}()
	var out []*ast.Directive
	for _, p := range parts[:cut] {
		out = p.collect(out, keep)
	}
	wg.Wait()
	return append(out, tail...)
}

// collectSections is collect for sections: those of files, outer before
// inner, in load order, for which keep is true.
func collectSections(files []*ast.File, keep func(s *ast.Section) bool) []*ast.Section {
	parts, total := walkParts(files)
	walk := func(out []*ast.Section, parts []walkPart) []*ast.Section {
		for _, p := range parts {
			ast.InspectSection(&ast.Section{Body: p.nodes}, func(n ast.Node) bool {
				if s, ok := n.(*ast.Section); ok && keep(s) {
					out = append(out, s)
				}
				return true
			})
		}
		return out
	}
	if total < parallelWalk || len(parts) < 2 || runtime.GOMAXPROCS(0) < 2 {
		return walk(nil, parts)
	}
	cut := halfway(parts)
	var tail []*ast.Section
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); tail = walk(nil, parts[cut:]) }()
	out := walk(nil, parts[:cut])
	wg.Wait()
	return append(out, tail...)
}

// firstLine returns the first directive or section tag of files, in the
// order of a walk that looks at a section's open and close tags before
// its body, for which match is true, or nil. Big runs are searched in two
// halves at once, each to its own first match.
func firstLine(files []*ast.File, match func(d *ast.Directive) bool) *ast.Directive {
	parts, total := walkParts(files)
	search := func(parts []walkPart) *ast.Directive {
		var found *ast.Directive
		check := func(d *ast.Directive) {
			if found == nil && d != nil && match(d) {
				found = d
			}
		}
		for _, p := range parts {
			ast.InspectSection(&ast.Section{Body: p.nodes}, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.Directive:
					check(n)
				case *ast.Section:
					check(n.Open)
					check(n.Close)
				}
				return found == nil
			})
			if found != nil {
				break
			}
		}
		return found
	}
	if total < parallelWalk || len(parts) < 2 || runtime.GOMAXPROCS(0) < 2 {
		return search(parts)
	}
	cut := halfway(parts)
	var later *ast.Directive
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); later = search(parts[cut:]) }()
	first := search(parts[:cut])
	wg.Wait()
	if first != nil {
		return first
	}
	return later
}

// halfway is where parts divide into two runs of about the same size.
func halfway(parts []walkPart) int {
	total := 0
	for _, p := range parts {
		total += p.size
	}
	cut, sum := 0, 0
	for cut < len(parts)-1 && sum+parts[cut].size <= total/2 {
		sum += parts[cut].size
		cut++
	}
	return max(cut, 1)
}

// walkPart is some top-level nodes of one file and about how many bytes
// they hold.
type walkPart struct {
	nodes []ast.Node
	size  int
}

// walkParts cuts the run into parts to walk, each file, a big file in two
// halves of its top-level nodes, and returns the run's size.
func walkParts(files []*ast.File) ([]walkPart, int) {
	total := 0
	for _, f := range files {
		total += f.Size
	}
	var parts []walkPart
	for _, f := range files {
		body := f.Root.Body
		if f.Size >= parallelWalk/2 && len(body) >= 2 {
			half := len(body) / 2
			parts = append(parts, walkPart{body[:half], f.Size / 2}, walkPart{body[half:], f.Size - f.Size/2})
			continue
		}
		parts = append(parts, walkPart{body, f.Size})
	}
	return parts, total
}

func (p walkPart) collect(out []*ast.Directive, keep func(*ast.Directive) bool) []*ast.Directive {
	ast.InspectSection(&ast.Section{Body: p.nodes}, func(n ast.Node) bool {
		if d, ok := n.(*ast.Directive); ok && d.Kind() == ast.Plain && keep(d) {
			out = append(out, d)
		}
		return true
	})
	return out
}
