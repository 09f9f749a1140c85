package ast

import (
	"bytes"
	"fmt"
	"runtime"
	"unsafe"
)

// Error is an unreadable-input error with its position.
type Error struct {
	File string
	Pos  Pos
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%s: %s", e.File, e.Pos, e.Msg) }

// Parse builds the syntax tree of one configuration file. It never fails on
// structure: mismatched, stray and missing tags become nodes that
// CheckStructure reports. Only a NUL byte, which httpd cannot read either,
// is an error.
//
// The tree shares src's bytes (names and arguments are views of them, not
// copies), so src must not be modified afterwards.
func Parse(name string, src []byte) (*File, error) {
	return parse(name, src, 1, nil)
}

// Layout is what a file's new lines follow: its dominant line ending and
// its indentation unit, both learnt from the whole file when it is parsed.
type Layout struct{ eol, step string }

// Layout returns f's layout, for ParsePart.
func (f *File) Layout() Layout { return Layout{eol: f.eol, step: f.step()} }

// A NodePool keeps the memory of the trees parsed with it (ParsePartIn)
// for the next: a caller that parses the parts of a big file one after the
// other, each tree dropped before the next is parsed, then does not fault
// in fresh memory for every part. The zero value is ready to use; a pool
// parses one part at a time.
type NodePool struct {
	p    parser
	made made // what its Maker made
}

// Reset makes the pool hand its memory out again. Every node of every
// tree parsed with it is then invalid: nothing may read or keep one.
func (p *NodePool) Reset() {
	p.p.dirs.reset()
	p.p.comments.reset()
	p.p.blanks.reset()
	p.p.sections.reset()
	p.p.bodies.reset()
	p.made.reset()
	clear(p.p.pending[:cap(p.p.pending)])
	clear(p.p.stack[:cap(p.p.stack)])
	p.p.pending, p.p.stack = p.p.pending[:0], p.p.stack[:0]
}

// ParsePartIn is ParsePart with its nodes from pool's memory (nil: new
// memory).
func ParsePartIn(pool *NodePool, name string, src []byte, line int, layout Layout) (*File, error) {
	return parseIn(pool, name, src, line, &layout)
}

// ParsePart parses src, a run of whole top-level nodes cut from the source
// of a file whose layout is layout, as a file of its own named name: its
// nodes are numbered from line (src's first line in the whole file), and
// the lines edits add follow the whole file's layout, so that fixing and
// printing the parts of a file one by one gives what fixing and printing
// it whole would. A byte order mark counts only at line 1.
func ParsePart(name string, src []byte, line int, layout Layout) (*File, error) {
	return parse(name, src, line, &layout)
}

// Reparse parses f's text as it is now into a new tree in place of the
// old one: f stays, its nodes are new. It is for an edit that changes how
// tags pair up: the parser pairs an argument-less open tag, and a close
// tag, with the open section of that name, so renaming a section can
// change which section a tag closes.
func (f *File) Reparse() error {
	layout := f.Layout()
	g, err := parse(f.Name, Print(f), f.line, &layout)
	if err != nil {
		return err
	}
	f.Root.Body, f.Size = g.Root.Body, g.Size
	for _, n := range f.Root.Body {
		n.setParent(f.Root)
	}
	return nil
}

// parse is Parse of src whose first line is line, with layout given
// (a part of a file) or learnt from src (nil).
func parse(name string, src []byte, line int, layout *Layout) (*File, error) {
	return parseIn(nil, name, src, line, layout)
}

// parseIn is parse with the first half's nodes from pool's memory (nil:
// new memory).
func parseIn(pool *NodePool, name string, src []byte, line int, layout *Layout) (*File, error) {
	if err := checkNUL(name, src, line); err != nil {
		return nil, err
	}
	f := &File{Name: name, Size: len(src), line: line}
	if layout != nil {
		f.eol, f.stepVal, f.stepDone = layout.eol, layout.step, true
	} else {
		f.eol = dominantEOL(src)
	}
	f.Root = &Section{file: f}
	if line == 1 && bytes.HasPrefix(src, []byte(bom)) {
		f.BOM = true
		src = src[len(bom):]
	}
	// A big file's second half is cut into nodes on another goroutine
	// while the first half is parsed; its nodes are then put into the tree
	// in order, which is the cheap part.
	first, second := src, []byte(nil)
	if len(src) >= parallelParse && runtime.GOMAXPROCS(0) > 1 {
		if cut := splitPoint(src); cut > 0 {
			first, second = src[:cut], src[cut:]
		}
	}
	rest := func() []Node { return nil }
	if second != nil {
		done := make(chan []Node, 1)
		go func() {
			done <- newParser(len(second)).nodes(second, line+bytes.Count(first, []byte{'\n'}), false, nil)
		}()
		rest = func() []Node { return <-done }
	}
	var p *parser
	if pool != nil {
		p = &pool.p
		if p.dirs.size == 0 { // sized by the first part
			*p = *newParser(len(first))
		}
	} else {
		p = newParser(len(first))
	}
	p.stack = append(p.stack[:0], openSection{s: f.Root})
	p.nodes(first, line, f.BOM, p.attach)
	for _, n := range rest() {
		p.attach(n)
	}
	for len(p.stack) > 1 {
		p.top().Unclosed = UnclosedAtEOF
		p.pop()
	}
	p.pop()  // the root
	f.step() // learn the indentation unit before edits change the file
	return f, nil
}

// checkNUL is the one error of parsing: a NUL byte, which httpd cannot
// read either.
func checkNUL(name string, src []byte, line int) error {
	i := bytes.IndexByte(src, 0)
	if i < 0 {
		return nil
	}
	at := bytes.Count(src[:i], []byte{'\n'}) + line
	col := i - bytes.LastIndexByte(src[:i], '\n')
	return &Error{File: name, Pos: Pos{at, col}, Msg: "NUL byte in configuration text"}
}

// dominantEOL is the line ending of most of src's lines.
func dominantEOL(src []byte) string {
	if crlf := bytes.Count(src, []byte("\r\n")); crlf > 0 && 2*crlf > bytes.Count(src, []byte{'\n'}) {
		return "\r\n"
	}
	return "\n"
}

// parser builds the tree line by line. Nodes come from slabs, and each
// section's body is collected on a shared stack (pending) and copied into an
// exactly sized slice when the section ends: a big config has hundreds of
// thousands of lines, and per-line allocations and growing bodies dominated
// parse time.
type parser struct {
	dirs     slab[Directive]
	comments slab[Comment]
	blanks   slab[Blank]
	sections slab[Section]
	bodies   arena[Node]
	pending  []Node // bodies of the open sections, outermost first
	stack    []openSection
}

// openSection is a section whose close tag has not been seen yet; its body
// so far is pending[start:] (up to the next open section's start).
type openSection struct {
	s     *Section
	start int
}

func (p *parser) top() *Section { return p.stack[len(p.stack)-1].s }

// add appends n to the innermost open section.
func (p *parser) add(n Node) {
	n.setParent(p.top())
	p.pending = append(p.pending, n)
}

// pop ends the innermost open section: its body becomes final.
func (p *parser) pop() {
	o := p.stack[len(p.stack)-1]
	p.stack = p.stack[:len(p.stack)-1]
	room := 0
	if len(p.stack) <= 1 {
		room = topLevelRoom // a top-level section: where passes add blocks
	}
	o.s.Body = p.body(p.pending[o.start:], room)
	clear(p.pending[o.start:]) // let the GC see only the final bodies
	p.pending = p.pending[:o.start]
}

// parallelParse is the size from which Parse uses a second goroutine.
var parallelParse = 1 << 20 // a variable for tests

// newParser returns a parser whose node storage is sized for size bytes of
// input (config lines run about 32 bytes): mostly directives, a few
// comments and blanks.
func newParser(size int) *parser {
	lines := size/32 + 1
	p := &parser{}
	p.dirs.size, p.sections.size = lines, lines/8
	p.comments.size, p.blanks.size = lines/16, lines/16
	p.bodies.size = lines
	return p
}

// nodes cuts src, whose first line is number line, into the nodes of its
// logical lines and passes each to attach, or returns them when attach
// is nil. afterBOM says a byte order mark preceded src.
func (p *parser) nodes(src []byte, line int, afterBOM bool, attach func(Node)) []Node {
	var out []Node
	if attach == nil {
		// At most a node per physical line: sized once, as a doubling
		// slice would leave twice the final size behind.
		out = make([]Node, 0, bytes.Count(src, []byte{'\n'})+1)
	}
	for start := 0; start < len(src); {
		end, physical := nextLogical(src, start)
		raw := src[start:end:end] // capped: appends never write into src
		pos := Pos{Line: line, Col: indentLen(raw) + 1}
		if line == 1 && afterBOM {
			pos.Col += len(bom)
		}
		line += physical
		start = end
		if n := p.node(raw, pos); attach != nil {
			attach(n)
		} else {
			out = append(out, n)
		}
	}
	return out
}

// splitPoint returns where a logical line ends near the middle of src, or
// 0 when there is none.
func splitPoint(src []byte) int {
	for i := len(src) / 2; i < len(src); {
		j := bytes.IndexByte(src[i:], '\n')
		if j < 0 {
			return 0
		}
		j += i
		if !continues(src[:j]) && j+1 < len(src) {
			return j + 1
		}
		i = j + 1
	}
	return 0
}

// node makes the node of one logical line: a Blank, a Comment or a
// scanned Directive, not yet in the tree.
func (p *parser) node(raw []byte, pos Pos) Node {
	first := firstVisible(raw)
	switch {
	case first < 0:
		b := p.blanks.next()
		b.raw = raw
		b.setPos(pos)
		return b
	case raw[first] == '#':
		c := p.comments.next()
		c.raw = raw
		c.setPos(pos)
		return c
	}
	d := p.dirs.next()
	d.raw = raw
	d.setPos(pos)
	d.scan()
	return d
}

// attach puts the next line's node into the tree: tags open and close
// sections (see pairTag).
func (p *parser) attach(n Node) {
	d, ok := n.(*Directive)
	if !ok || d.kind == Plain {
		p.add(n)
		return
	}
	top := p.top()
	switch act, k := pairTag(d, len(p.stack)-1, p.openName); act {
	case tagOpens:
		s := p.sections.next()
		s.Open = d
		d.parent = s
		p.add(s)
		p.stack = append(p.stack, openSection{s: s, start: len(p.pending)})
	case tagStray:
		p.add(d) // CheckStructure reports it
	case tagClosesInnermost:
		d.parent = top
		top.Close = d
		p.pop()
	case tagClosesAt:
		for _, inner := range p.stack[k+1:] {
			inner.s.Unclosed = UnclosedByOuter
			inner.s.ClosedBy = d
		}
		d.parent = p.stack[k].s
		p.stack[k].s.Close = d
		for len(p.stack) > k {
			p.pop()
		}
	}
}

// openName is the name of open section k (1 is the outermost).
func (p *parser) openName(k int) string { return p.stack[k].s.Name() }

// tagAction is what a tag line does to the sections open before it.
type tagAction uint8

const (
	tagOpens           tagAction = iota // a new section, inside the innermost
	tagStray                            // a close tag with no section open
	tagClosesInnermost                  // ends the innermost section
	tagClosesAt                         // ends open section k and those inside it
)

// pairTag decides what tag d does when depth sections are open, open(k)
// naming section k (1 is the outermost): the rule both Parse and
// ReadOutline follow, so that an outline's top level is the tree's.
func pairTag(d *Directive, depth int, open func(k int) string) (act tagAction, k int) {
	if d.kind == OpenTag {
		if depth > 0 && !d.MissingBracket() && d.Is(open(depth)) && requiresArgs(d.Name()) && !d.HasArgs() {
			// "<locationmatch>" where "</locationmatch>" was meant: it
			// closes the innermost section (CheckStructure reports it).
			return tagClosesInnermost, depth
		}
		return tagOpens, 0
	}
	k = depth
	for k > 0 && !d.Is(open(k)) {
		k--
	}
	switch {
	case depth == 0:
		return tagStray, 0
	case k == 0:
		// Names no open section: it closes the innermost one.
		return tagClosesInnermost, depth
	}
	return tagClosesAt, k
}

// bodyChunk is the largest chunk of section bodies.
const bodyChunk = 4096

// topLevelRoom is the room a top-level section's body gets for more
// nodes: the passes add blocks to a VirtualHost, and a body without room
// is copied to a new slice (fresh memory in every part of a big file).
const topLevelRoom = 8

// body copies nodes into a body from the parser's arena, with room for
// more after them.
func (p *parser) body(nodes []Node, room int) []Node {
	if len(nodes) == 0 {
		return nil
	}
	body := p.bodies.make(len(nodes), room, bodyChunk)
	copy(body, nodes)
	return body
}

func (s *Section) add(n Node) {
	n.setParent(s)
	s.Body = append(s.Body, n)
}

// firstVisible returns the index of the first byte of raw that is not
// indentation, continuation or line ending, or -1 for a blank line.
func firstVisible(raw []byte) int {
	end := len(raw) - eolLen(raw)
	for i := 0; i < end; {
		switch {
		case isSpace(raw[i]):
			i++
		case contLen(raw, i) > 0:
			i += contLen(raw, i)
		default:
			return i
		}
	}
	return -1
}

// Offset returns where n starts in src, the text n was parsed from, or
// false when n's first line is not src's own bytes (n was built or edited
// since). It costs no scan: a parsed line is a view of src.
func Offset(src []byte, n Node) (int, bool) {
	l := lineOf(n)
	if l == nil || len(l.raw) == 0 || len(src) == 0 {
		return 0, false
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(src)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(l.raw)))
	if p < base || p-base+uintptr(len(l.raw)) > uintptr(len(src)) {
		return 0, false
	}
	off := int(p - base)
	if !bytes.Equal(src[off:off+len(l.raw)], l.raw) {
		return 0, false
	}
	return off, true
}
