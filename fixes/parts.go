package fixes

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/wsgifix/wsgifix/ast"
)

// A big configuration is mostly virtual hosts that have nothing to do with
// each other. RunParts cuts such a file into parts of a few hundred vhosts
// and fixes them one at a time on each CPU, each part parsed from its own
// lines, fixed as if it were the whole file and printed at once: the
// passes then walk small, freshly parsed trees, and only the parts being
// worked on have a tree at all. The result is what fixing the whole file
// gives, byte for byte, findings in the same order: by position, which
// is also the order of the parts, so that a caller can report each part's
// findings as soon as the parts above it are done (parts_test.go runs
// every golden case, generated servers and FuzzParts both ways).
//
// A file is cut only where no pass can tell the difference:
//
//   - its top level holds only VirtualHost sections, comments, blank
//     lines and NameVirtualHost lines: nothing else at server level,
//     which every vhost would see (isNameVirtualHost);
//   - vhosts that share a daemon group name (defining or selecting it) are
//     in the same part, and no selection is a %{…} expansion;
//   - a part starts right after a VirtualHost, so comments stay with the
//     vhost below them (daemon-scope moves them together);
//   - no typeset character anywhere (typeset-chars could change a daemon
//     name, and a no-break space can hide a tag, which section-tags judges
//     for the whole file), no open tag written for a close tag (whose
//     finding quotes httpd's view of the whole file) and no misspelled
//     section name (once it is corrected section-tags pairs the tags
//     again, which may turn up such a tag);
//   - no backslash followed by blanks at the end of a line, when
//     continuation-blanks runs: it joins such a line to the next, and the
//     daemon names the outline read from the lines apart may change;
//   - no pass that looks across vhosts in other ways (application-group),
//     and duplicate-daemon does not rename (the new name must be unused in
//     the whole run).

// partSize is about how many bytes of configuration a part holds, and
// minPartsInput the smallest file that is cut (variables for tests).
var (
	partSize      = 256 << 10
	minPartsInput = 4 << 20
)

// part is a run of whole top-level nodes: src[from:to], starting at line.
type part struct {
	from, to, line int
	nodes          int // top-level nodes it must parse into
}

// PartHooks are what RunParts tells its caller, and on how many
// goroutines it works.
type PartHooks struct {
	// Jobs bounds the goroutines; <= 0 means GOMAXPROCS.
	Jobs int
	// Cut, if set, is called with the number of parts once they are
	// planned, before the first is parsed.
	Cut func(parts int)
	// Done, if set, is called with each part's text before and after, and
	// its findings in report order, as soon as the part is fixed, on the
	// goroutine that fixed it (k is the part's index, from 0): work per
	// part, such as diffing, can go on in parallel.
	Done func(k int, before, after []byte, found []Finding)
	// NoText: the caller takes each part's text in Done, and RunParts
	// returns no printed text (it is never held whole).
	NoText bool
	// Buffer, if set, gives the buffer each part is printed into (from
	// its length 0), so that a caller done with the texts Done gave it
	// can hand them back: a big file's printed parts are tens of
	// megabytes of fresh memory otherwise.
	Buffer func() []byte
	// NoFindings: the caller takes each part's findings in Done, and
	// RunParts returns none (they are never held whole). The Findings
	// Done is given, and their messages, are then valid only during the
	// call: their memory is reused for the parts after.
	NoFindings bool
}

// RunParts fixes the file name, whose text is src, part by part when it
// can be cut (see above), parsing only one part at a time per CPU: the
// file is never parsed whole. ok is false when it is not cut; the caller
// then parses and fixes it as usual. Otherwise printed is the fixed file.
// A pass that panics ends the run with a *PanicError.
func RunParts(name string, src []byte, opts Options, passes []*Pass, hooks PartHooks) (printed []byte, found []Finding, ok bool, err error) {
	parts, layout := planParts(name, src, opts, passes)
	if parts == nil {
		return nil, nil, false, nil
	}
	if hooks.Cut != nil {
		hooks.Cut(len(parts))
	}
	jobs := hooks.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	var text *joiner
	if !hooks.NoText {
		text = newJoiner(len(parts), len(src))
	}
	partFound := make([][]Finding, len(parts))
	errs := make([]error, len(parts))
	var reuse partMemory
	onWorkers(len(parts), jobs, func(k int) {
		mem := reuse.get()
		var buf []byte
		if hooks.Buffer != nil {
			buf = hooks.Buffer()
		}
		out, found, err := fixPart(name, src, layout, parts[k], opts, passes, buf, mem, hooks.NoFindings)
		if err != nil {
			errs[k] = err
			return // mem is not reused: the error may hold its nodes
		}
		if hooks.Done != nil {
			hooks.Done(k, src[parts[k].from:parts[k].to], out, found)
		}
		if !hooks.NoFindings {
			partFound[k] = found
		} else if found != nil {
			mem.found = found[:0]
		}
		if text != nil {
			text.add(k, parts[k].to-parts[k].from, out)
		}
		reuse.put(mem)
	})
	for _, err := range errs {
		if err != nil {
			return nil, nil, true, err
		}
	}
	if text != nil {
		printed = text.done()
	}
	return printed, slices.Concat(partFound...), true, nil
}

// fixPart parses, fixes and prints one part. It runs on a goroutine of
// its own, so a panic outside the passes (parsing, printing) is returned
// as an error too rather than ending the process.
// Its tree and findings records are made in mem's memory, and with
// handedOut (PartHooks.NoFindings) its findings too.
func fixPart(name string, src []byte, layout ast.Layout, p part, opts Options, passes []*Pass, buf []byte, mem *partWork, handedOut bool) (out []byte, found []Finding, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, found, err = nil, nil, fmt.Errorf("internal error in the part at %s:%d: %v", name, p.line, v)
		}
	}()
	f, err := ast.ParsePartIn(&mem.nodes, name, src[p.from:p.to], p.line, layout)
	if err == nil && len(f.Root.Body) != p.nodes {
		err = fmt.Errorf("%s: part at line %d parsed into %d top-level nodes, not %d", name, p.line, len(f.Root.Body), p.nodes)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("internal error: %w", err)
	}
	run := NewRunner([]*ast.File{f}, opts)
	run.c.maker = mem.nodes.Maker()
	run.c.inPart = true
	run.c.findings.reuse(mem.records)
	var into []Finding
	if handedOut {
		run.c.texts, into = &mem.texts, mem.found
	}
	for _, pass := range passes {
		if err := run.RunSafe(pass); err != nil {
			return nil, nil, err
		}
	}
	// A part is one file: its findings in report order are by position.
	found = inReportOrder(into, run.c.findings.records(), nil)
	mem.records = run.c.findings.firstChunk()
	return ast.AppendPrint(buf[:0], f), found, nil
}

// partWork is the memory a part is fixed in, which the next part fixed
// on the same goroutine reuses instead of tens of megabytes of fresh
// memory (each fresh 4 KiB costs a page fault): its tree's nodes, its
// findings records, and when its findings are handed out and forgotten
// (PartHooks.NoFindings) their messages and the slice handed out.
type partWork struct {
	nodes   ast.NodePool
	records []record  // where the part's records were collected
	texts   textArena // the messages
	found   []Finding // the slice handed out, emptied
}

// partMemory hands partWork from part to part.
type partMemory struct {
	mu   sync.Mutex
	free []*partWork
}

func (m *partMemory) get() *partWork {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n := len(m.free); n > 0 {
		mem := m.free[n-1]
		m.free = m.free[:n-1]
		return mem
	}
	return new(partWork)
}

// put takes mem back once its part's tree and findings are no longer
// read.
func (m *partMemory) put(mem *partWork) {
	mem.nodes.Reset()
	mem.texts.reset()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.free = append(m.free, mem)
}

// joiner puts the parts' texts together as they are printed, in order:
// a part printed before the one above it waits, and is dropped once
// copied. The whole text is then never held twice, as it was when every
// part was kept until the last was done.
type joiner struct {
	mu      sync.Mutex
	text    []byte
	size    int      // of the text before
	read    int      // bytes before of the parts copied
	next    int      // the first part not yet copied
	ready   [][]byte // printed parts waiting for the ones above them
	readyIn []int    // and their sizes before
	in      []bool   // which parts were added
	grown   int      // how often the text was copied to grow
}

// newJoiner makes room for the text of a file of size bytes: fixing adds
// a few lines, seldom a quarter (see grow).
func newJoiner(parts, size int) *joiner {
	return &joiner{
		text: make([]byte, 0, size+size/4), size: size,
		ready: make([][]byte, parts), readyIn: make([]int, parts), in: make([]bool, parts),
	}
}

// add hands in part k's printed text, from in bytes before.
func (j *joiner) add(k, in int, out []byte) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ready[k], j.readyIn[k], j.in[k] = out, in, true
	for j.next < len(j.ready) && j.in[j.next] {
		out := j.ready[j.next]
		j.read += j.readyIn[j.next]
		if len(j.text)+len(out) > cap(j.text) {
			j.grow(len(out))
		}
		j.text = append(j.text, out...)
		j.ready[j.next] = nil
		j.next++
	}
}

// grow makes room for n more bytes and, going by how much the parts so
// far grew, for the rest of the file: one copy, not one per doubling.
func (j *joiner) grow(n int) {
	have := len(j.text) + n
	want := have
	if j.read > 0 {
		want = int(float64(have) * float64(j.size) / float64(j.read) * 1.03)
	}
	j.text = slices.Grow(j.text, max(want, have)-len(j.text))
	j.grown++
}

// done returns the text once every part is added.
func (j *joiner) done() []byte {
	if j.next != len(j.ready) {
		panic("joiner: parts missing")
	}
	return j.text
}

// planParts returns the parts to cut the file into, and its layout, or
// nil when it is not to be cut (see above). It reads the file's outline,
// not its tree.
func planParts(name string, src []byte, opts Options, passes []*Pass) ([]part, ast.Layout) {
	if len(src) < minPartsInput || opts.DaemonConflict == "rename" {
		return nil, ast.Layout{}
	}
	for _, p := range passes {
		if p == ApplicationGroup || !registered(p) {
			return nil, ast.Layout{} // only this package's passes are known to be local
		}
	}
	// The outline is read (in two stretches, see ast.ReadOutline), each
	// vhost's daemon names collected, while typeset characters are looked
	// for on the side.
	var (
		o       *ast.Outline
		seen    [2]outlineSeen // by stretch, each read on its own goroutine
		typeset bool
		blanked bool
	)
	for k := range seen {
		// A name every kilobyte or so (a vhost pair's) without growing
		// the map as it is read.
		seen[k] = outlineSeen{spans: make(map[string]span, len(src)/2/1024), lastTop: -1}
	}
	inParallel(true, func() {
		o, _ = ast.ReadOutline(name, src, func(k int) ast.OutlineHooks { return seen[k].hooks() })
	}, func() {
		typeset = hasTypesetChar(src)
		blanked = slices.Contains(passes, ContinuationBlanks) && hasBlankedBackslash(src)
	})
	// A NUL byte (o == nil) is the caller's parse error to report.
	if o == nil || typeset || blanked || o.OpenAsClose || len(o.Top) < 2 {
		return nil, ast.Layout{}
	}
	spans := seen[0].spans
	for k, base := range o.Stretches {
		if seen[k].dynamic || seen[k].misspelt {
			return nil, ast.Layout{}
		}
		if k > 0 {
			joinSpans(spans, seen[k].spans, base)
		}
	}
	for _, n := range o.Top {
		switch n.Kind {
		case ast.TopBlank, ast.TopComment:
		case ast.TopSection:
			if !ast.EqualFold(n.Name, "VirtualHost") || !ast.EqualFold(n.Close, "VirtualHost") {
				return nil, ast.Layout{}
			}
		case ast.TopDirective:
			// No pass but name-virtual-host reads NameVirtualHost, and it
			// fixes each line on its own: the part a line falls in sees all
			// it needs. The web2py book's examples start with two, and a big
			// file made of them has them between its vhosts.
			if !isNameVirtualHost(n.Name) {
				return nil, ast.Layout{}
			}
		default:
			return nil, ast.Layout{}
		}
	}
	// Cut right after a VirtualHost, once a part is big enough, where no
	// daemon name is on both sides: crossing[i] counts the names seen both
	// before node i and at or after it.
	top := o.Top
	crossing := make([]int32, len(top)+1)
	for _, sp := range spans {
		crossing[sp.first+1]++
		crossing[sp.last+1]--
	}
	var parts []part
	from, names := 0, int32(0)
	for i, n := range top {
		names += crossing[i]
		if i > from && n.Offset-top[from].Offset >= partSize && names == 0 && top[i-1].Kind == ast.TopSection {
			parts = append(parts, part{from: top[from].Offset, to: n.Offset, line: top[from].Line, nodes: i - from})
			from = i
		}
	}
	if len(parts) == 0 {
		return nil, ast.Layout{}
	}
	parts = append(parts, part{from: top[from].Offset, to: len(src), line: top[from].Line, nodes: len(top) - from})
	return parts, o.Layout
}

// outlineSeen is what planParts learns inside one stretch's vhosts.
type outlineSeen struct {
	spans    map[string]span // each daemon name's first and last top-level node
	dynamic  bool            // a selection is a %{…} expansion
	misspelt bool            // a section name is misspelled
	last     string          // the name seen last, at node lastTop (-1: none yet)
	lastTop  int

	// The two stretches' outlineSeen are side by side and written on two
	// goroutines: without the pad they share a cache line, which cost
	// each of them as much as reading its names.
	_ [64]byte
}

// span is where a daemon name is first and last seen: the first and last
// top-level node (by index) it is defined or selected in.
type span struct{ first, last int }

func (s *outlineSeen) hooks() ast.OutlineHooks {
	return ast.OutlineHooks{
		Directive: func(top int, d *ast.Directive) {
			daemonNamesOf(d, func(n string, def bool) {
				s.see(n, top)
				if !def {
					s.see(optionValue(n), top)
					s.dynamic = s.dynamic || strings.HasPrefix(optionValue(n), "%{")
				}
			})
		},
		Section: func(_ int, open *ast.Directive) {
			s.misspelt = s.misspelt || misspelledAs(open.Name()) != ""
		},
	}
}

// see records daemon name n in top-level node top. A vhost mostly defines
// and selects one group, so the name just seen is checked first.
func (s *outlineSeen) see(n string, top int) {
	if top == s.lastTop && n == s.last {
		return
	}
	s.last, s.lastTop = n, top
	if sp, ok := s.spans[n]; ok {
		if top > sp.last {
			s.spans[n] = span{sp.first, top}
		}
		return
	}
	s.spans[n] = span{top, top}
}

// joinSpans adds a later stretch's spans, whose nodes are numbered from
// base, to the earlier ones'.
func joinSpans(spans, later map[string]span, base int) {
	for n, sp := range later {
		sp = span{sp.first + base, sp.last + base}
		if had, ok := spans[n]; ok {
			sp.first = had.first
		}
		spans[n] = sp
	}
}

// registered reports whether p is one of this package's passes.
func registered(p *Pass) bool {
	for _, q := range All {
		if p == q {
			return true
		}
	}
	return false
}
