package ast

import (
	"bytes"
	"fmt"
	"strings"
	"unsafe"
)

// New nodes are built detached, with no indentation; when inserted they take
// the indentation of their siblings (or the parent's plus the file's
// indentation step) and the file's line ending. Moved nodes keep their own
// bytes apart from their indentation.

// NewDirective returns a detached directive; values are quoted as needed.
func NewDirective(name string, values ...string) *Directive {
	return Maker{}.NewDirective(name, values...)
}

// NewDirectiveRaw returns a detached directive whose argument tokens are
// written exactly as given.
func NewDirectiveRaw(name string, tokens ...string) *Directive {
	return Maker{}.NewDirectiveRaw(name, tokens...)
}

// newLine builds a directive line: prefix+name, then each value after a
// blank (quoted with quote as Quote does, or as given when raw), then
// suffix. Passes build thousands of lines, so the text goes into one
// buffer: buf when it is long enough (with d, when d is not nil), else
// m's memory, where a short line shares its Directive's.
func (m Maker) newLine(d *Directive, buf []byte, prefix, name string, values []string, quote byte, raw bool, suffix string) *Directive {
	n := len(prefix) + len(name) + len(suffix)
	var quotes [8]byte // the quote chosen for each of the first values
	for i, v := range values {
		if raw {
			n += 1 + len(v)
			continue
		}
		q := quoteChar(v, quote)
		if i < len(quotes) {
			quotes[i] = q
		}
		n += 1 + quotedLenAs(v, q)
	}
	d, buf = m.directiveBuffer(n, d, buf)
	b := buf[:0:len(buf)]
	b = append(append(b, prefix...), name...)
	for i, v := range values {
		b = append(b, ' ')
		switch {
		case raw:
			b = append(b, v...)
		case i < len(quotes):
			b = appendQuotedAs(b, v, quotes[i])
		default:
			b = appendQuoted(b, v, quote)
		}
	}
	b = append(b, suffix...)
	d.raw, d.flags = buf[:len(b)], fresh|roomBefore
	d.scan()
	return d
}

// shortDirective and tinyDirective are a Directive and the text of a
// short line in one allocation: most new lines are "Require all granted"
// or a close tag, which fit the tiny one.
type shortDirective struct {
	d   Directive
	buf [80]byte
}

type tinyDirective struct {
	d   Directive
	buf [40]byte
}

// indentRoom is the room a new line's buffer keeps before its text for
// the indentation it gets when it is placed in a tree, so that placing
// it (reframe) need neither copy the line to a new buffer nor move its
// text: strings already read from the line (Name, Arg, the parsed
// argument list) are views of that text and must stay what they were.
const indentRoom = 16

// NewComment returns a detached comment line; text should start with '#'.
func NewComment(text string) *Comment {
	return &Comment{line{raw: []byte(text + "\n"), flags: fresh}}
}

// NewBlank returns a detached blank line.
func NewBlank() *Blank { return &Blank{line{raw: []byte("\n"), flags: fresh}} }

// newSection is a new section with its tags and a short body in one
// allocation: passes build tens of thousands of small sections.
type newSection struct {
	s           Section
	open, close Directive
	openText    [80]byte
	closeText   [40]byte
	body        [2]Node
}

// NewSection returns a detached section "<name args>…</name>" holding body.
func NewSection(name string, values []string, body ...Node) *Section {
	return Maker{}.NewSection(name, values, body...)
}

// Index returns the index of n in s.Body, or -1.
func (s *Section) Index(n Node) int {
	for i, m := range s.Body {
		if m == n {
			return i
		}
	}
	return -1
}

// Insert puts nodes into s.Body at index i.
func (s *Section) Insert(i int, nodes ...Node) {
	s.insert(i, s.childIndent(i), nodes)
}

func (s *Section) insert(i int, indent string, nodes []Node) {
	eol, step := "\n", "    "
	if f := s.File(); f != nil {
		eol, step = f.eol, f.step()
		f.edited()
	}
	for _, n := range nodes {
		if n.Parent() == s {
			// Detaching shifts s.Body in place; nodes may be part of it.
			nodes = append([]Node(nil), nodes...)
			break
		}
	}
	for _, n := range nodes {
		if p := n.Parent(); p != nil {
			p.detach(n)
		}
		place(n, indent, eol, step)
		n.setParent(s)
	}
	s.Body = insertNodes(s.Body, i, nodes)
}

// insertNodes puts nodes into body at i, in place when body has room, else
// in a new slice with room for more: a pass edits a body several times,
// and a config's root body can hold tens of thousands of nodes.
func insertNodes(body []Node, i int, nodes []Node) []Node {
	n := len(body)
	if cap(body)-n < len(nodes) {
		grown := make([]Node, n, n+len(nodes)+n/4+4)
		copy(grown, body)
		body = grown
	}
	body = body[:n+len(nodes)]
	copy(body[i+len(nodes):], body[i:n])
	copy(body[i:], nodes)
	return body
}

// Append puts nodes at the end of s.Body (before the close tag).
func (s *Section) Append(nodes ...Node) { s.Insert(len(s.Body), nodes...) }

// InsertBefore puts nodes right before mark, in mark's section.
func InsertBefore(mark Node, nodes ...Node) {
	p := mustParent(mark)
	p.Insert(p.Index(mark), nodes...)
}

// InsertAfter puts nodes right after mark, in mark's section.
func InsertAfter(mark Node, nodes ...Node) {
	p := mustParent(mark)
	p.Insert(p.Index(mark)+1, nodes...)
}

// Remove takes n out of its section. Comments above it stay where they are.
// It reports false when n is detached.
func Remove(n Node) bool {
	p := n.Parent()
	if p == nil || p.Index(n) < 0 {
		return false
	}
	p.detach(n)
	if f := p.File(); f != nil {
		f.edited()
	}
	return true
}

// Replace puts nodes where old was.
func Replace(old Node, nodes ...Node) {
	p := mustParent(old)
	i := p.Index(old)
	p.detach(old)
	p.Insert(i, nodes...)
}

// MoveBefore moves n (with its own bytes, re-indented) right before mark.
func MoveBefore(n, mark Node) {
	if n == mark {
		return
	}
	mustParent(n).detach(n)
	InsertBefore(mark, n)
}

// LeadComments returns the run of comments directly above n (no blank line
// between), the node's lead comment.
func LeadComments(n Node) []*Comment {
	p := n.Parent()
	if p == nil {
		return nil
	}
	i := p.Index(n)
	j := i
	for j > 0 {
		if _, ok := p.Body[j-1].(*Comment); !ok {
			break
		}
		j--
	}
	out := make([]*Comment, 0, i-j)
	for _, m := range p.Body[j:i] {
		out = append(out, m.(*Comment))
	}
	return out
}

// CloseBefore ends s, which lost its close tag, before body index i: nodes
// from i on move out to s's parent right after s, and a close tag
// "</Name>" is added.
func (s *Section) CloseBefore(i int) {
	rest := append([]Node(nil), s.Body[i:]...)
	s.Body = s.Body[:i]
	close := &Directive{line: line{raw: []byte("</" + s.Name() + ">\n"), flags: fresh}}
	close.scan()
	close.parent = s
	eol := "\n"
	if f := s.File(); f != nil {
		eol = f.eol
		f.edited()
	}
	place(close, s.Open.Indent(), eol, "")
	// The section's last line may be the file's last, without an ending.
	if last := lastLine(s); last != nil && eolLen(last.raw) == 0 {
		last.setEOL(endingFor(last.raw, eol))
		if len(rest) == 0 && s.parent != nil && s.parent.Index(s) == len(s.parent.Body)-1 {
			close.setEOL("")
		}
	}
	s.Close = close
	s.Unclosed, s.ClosedBy = NotUnclosed, nil
	p := mustParent(s)
	at := p.Index(s) + 1
	for _, n := range rest {
		n.setParent(nil)
	}
	body := make([]Node, 0, len(p.Body)+len(rest))
	body = append(body, p.Body[:at]...)
	body = append(body, rest...)
	body = append(body, p.Body[at:]...)
	for _, n := range rest {
		n.setParent(p)
	}
	p.Body = body
}

// Dissolve replaces s by its body, re-indented to s's indentation. Comments
// inside stay with the nodes they precede.
func (s *Section) Dissolve() {
	p := mustParent(s)
	i := p.Index(s)
	indent := Indent(s)
	body := s.Body
	s.Body = nil
	p.detach(s)
	for _, n := range body {
		n.setParent(nil)
	}
	p.insert(i, indent, body)
}

func mustParent(n Node) *Section {
	p := n.Parent()
	if p == nil {
		panic(fmt.Sprintf("ast: %T at %v is not in a tree", n, n.Pos()))
	}
	return p
}

func (s *Section) detach(n Node) {
	i := s.Index(n)
	if i < 0 {
		return
	}
	// In place: no copy of the body per removal.
	last := len(s.Body) - 1
	copy(s.Body[i:], s.Body[i+1:])
	s.Body[last] = nil
	s.Body = s.Body[:last]
	n.setParent(nil)
}

// childIndent is the indentation a node inserted at body index i gets: its
// nearest sibling's, else the open tag's plus the file's step.
func (s *Section) childIndent(i int) string {
	for _, j := range []int{i - 1, i, i - 2, i + 1} {
		if j >= 0 && j < len(s.Body) {
			switch n := s.Body[j].(type) {
			case *Directive, *Section, *Comment:
				if l := lineOf(n); l != nil && !l.isFresh() {
					return l.Indent()
				}
			}
		}
	}
	for _, n := range s.Body {
		if l := lineOf(n); l != nil && !l.isFresh() {
			if _, blank := n.(*Blank); !blank {
				return l.Indent()
			}
		}
	}
	if s.Open == nil {
		return ""
	}
	step := "    "
	if f := s.File(); f != nil {
		step = f.step()
	}
	return s.Open.Indent() + step
}

// step is the file's indentation unit: how much a section body is indented
// beyond its open tag, as the file itself does it ("" for flat files).
// Sections are looked at in source order (the body of one that indents by
// the default four spaces is not looked into) until one is flat or indents
// by something else; that one decides.
func (f *File) step() string {
	if f.stepDone {
		return f.stepVal
	}
	var l stepLearner
	for _, n := range f.Root.Body {
		if s, ok := n.(*Section); ok && !l.see(s.Open.raw, firstBodyLine(s)) {
			break
		}
	}
	f.stepDone, f.stepVal = true, l.step()
	return f.stepVal
}

// stepLearner learns a file's indentation unit from its top-level sections
// in order (File.step; ReadOutline does the same without a tree). Only the
// top level is looked at: a section is only looked into when its body is
// blank, and then it holds no section.
type stepLearner struct {
	unit    string
	decided bool
}

// see takes a top-level section's open tag and the first line of its body
// that is not blank (nil when there is none), and reports whether more
// sections are wanted.
func (l *stepLearner) see(open, first []byte) bool {
	if l.decided || first == nil {
		return !l.decided
	}
	openIndent, ind := open[:indentLen(open)], first[:indentLen(first)]
	switch {
	case len(ind) <= len(openIndent) || !bytes.HasPrefix(ind, openIndent):
		l.unit, l.decided = "", true // flat
	case string(ind[len(openIndent):]) != "    ":
		l.unit, l.decided = string(ind[len(openIndent):]), true
	}
	return !l.decided
}

// step is the unit learnt: four spaces unless a section said otherwise.
func (l *stepLearner) step() string {
	if !l.decided {
		return "    "
	}
	return l.unit
}

// firstBodyLine is the first line of s's body that is not blank, or nil.
func firstBodyLine(s *Section) []byte {
	for _, c := range s.Body {
		if _, blank := c.(*Blank); !blank {
			return lineOf(c).raw
		}
	}
	return nil
}

// place gives a node its indentation: fresh nodes get indent and eol
// (sections lay out their fresh body one step deeper); moved nodes are
// re-indented and keep their line endings.
func place(n Node, indent, eol, step string) {
	if l := lineOf(n); l != nil && !l.isFresh() {
		reindent(n, indent)
		if e := l.EOL(); e != "" && e != eol {
			// Moved from a file with other line endings: adopt this file's.
			eachLine(n, func(l *line) { l.setRaw(convertEOL(l.raw, eol)) })
		}
		return
	}
	switch n := n.(type) {
	case *Section:
		n.Open.reframe(indent, eol)
		n.Open.setFresh(false)
		inner := indent + step
		for _, c := range n.Body {
			place(c, inner, eol, step)
		}
		if n.Close != nil {
			n.Close.reframe(indent, eol)
			n.Close.setFresh(false)
		}
	case *Directive:
		n.reframe(indent, eol)
		n.setFresh(false)
	case *Blank:
		n.setEOL(eol)
		n.setFresh(false)
	default:
		l := lineOf(n)
		l.reframe(indent, eol)
		l.setFresh(false)
	}
}

// reframe gives the line indent and eol, in one allocation, and returns
// how far the text after the indentation moved.
func (l *line) reframe(indent, eol string) int {
	ind, end := indentLen(l.raw), len(l.raw)-eolLen(l.raw)
	if string(l.raw[:ind]) == indent && string(l.raw[end:]) == eol {
		return 0
	}
	if l.flags&roomBefore != 0 && ind == 0 && len(indent) <= indentRoom && string(l.raw[end:]) == eol {
		// A new line's buffer has room before its text (Maker.directiveBuffer):
		// the indentation goes there, and the text stays where it is.
		start := unsafe.Add(unsafe.Pointer(unsafe.SliceData(l.raw)), -len(indent))
		raw := unsafe.Slice((*byte)(start), len(indent)+len(l.raw))
		copy(raw, indent)
		l.setRaw(raw)
		return len(indent)
	}
	size := len(indent) + end - ind + len(eol)
	raw := make([]byte, 0, size)
	raw = append(append(append(raw, indent...), l.raw[ind:end]...), eol...)
	l.setRaw(raw)
	return len(indent) - ind
}

// reframe is line.reframe keeping the name and argument offsets in step.
func (d *Directive) reframe(indent, eol string) {
	d.shift(int32(d.line.reframe(indent, eol)))
}

// reindent shifts n (all lines of a section) so its first line has indent.
func reindent(n Node, indent string) {
	old := Indent(n)
	if old == indent {
		return
	}
	shift := func(l *line) {
		if cur := l.Indent(); strings.HasPrefix(cur, old) {
			l.setIndent(indent + cur[len(old):])
		}
	}
	shiftDirective := func(d *Directive) {
		if cur := d.Indent(); strings.HasPrefix(cur, old) {
			d.setIndent(indent + cur[len(old):])
		}
	}
	switch n := n.(type) {
	case *Section:
		shiftDirective(n.Open)
		InspectSection(n, func(c Node) bool {
			if s, ok := c.(*Section); ok {
				shiftDirective(s.Open)
				if s.Close != nil {
					shiftDirective(s.Close)
				}
			} else if d, ok := c.(*Directive); ok {
				shiftDirective(d)
			} else if _, blank := c.(*Blank); !blank {
				shift(lineOf(c))
			}
			return true
		})
		if n.Close != nil {
			shiftDirective(n.Close)
		}
	case *Directive:
		shiftDirective(n)
	case *Blank:
	default:
		shift(lineOf(n))
	}
}

// endingFor is the line ending to give raw, a line that had none because
// it was the file's last. A backslash there is literal (httpd joins lines
// only at a backslash right before the newline), so a blank goes before
// the newline or the next line would be swallowed.
func endingFor(raw []byte, eol string) string {
	if len(raw) > 0 && raw[len(raw)-1] == '\\' {
		return " " + eol
	}
	return eol
}

// endsInContinuation reports whether raw ends in a backslash-newline: at
// the end of a file it joins nothing, but a line put after it would be
// joined to it.
func endsInContinuation(raw []byte) bool {
	n := len(raw) - eolLen(raw)
	return n < len(raw) && n > 0 && raw[n-1] == '\\'
}

func lastLine(s *Section) *line {
	if s.Close != nil {
		return &s.Close.line
	}
	if len(s.Body) == 0 {
		return &s.Open.line
	}
	switch n := s.Body[len(s.Body)-1].(type) {
	case *Section:
		return lastLine(n)
	case *Blank:
		return &n.line
	default:
		return lineOf(n)
	}
}

// eachLine calls fn for every line of n, tags included.
func eachLine(n Node, fn func(*line)) {
	s, ok := n.(*Section)
	if !ok {
		fn(lineOf(n))
		return
	}
	fn(&s.Open.line)
	InspectSection(s, func(c Node) bool {
		if sub, ok := c.(*Section); ok {
			fn(&sub.Open.line)
			if sub.Close != nil {
				fn(&sub.Close.line)
			}
		} else {
			fn(lineOf(c))
		}
		return true
	})
	if s.Close != nil {
		fn(&s.Close.line)
	}
}

// convertEOL rewrites every line ending in raw (continuations included) to eol.
func convertEOL(raw []byte, eol string) []byte {
	out := make([]byte, 0, len(raw)+8)
	for i := 0; i < len(raw); i++ {
		switch {
		case raw[i] == '\r' && i+1 < len(raw) && raw[i+1] == '\n':
			out = append(out, eol...)
			i++
		case raw[i] == '\n':
			out = append(out, eol...)
		default:
			out = append(out, raw[i])
		}
	}
	return out
}

// NextLine returns the node whose first line comes right after d's last
// line in the file's text: a sibling, the first node of the section d is
// the open tag of, or a tag that ends a section (a close tag, or an open
// tag written for one); a *Section stands for its open tag. It returns
// nil when d's line is the file's last, or d is detached.
func NextLine(d *Directive) Node {
	p := d.parent
	if p == nil {
		return nil
	}
	if p.Open == d {
		if len(p.Body) > 0 {
			return p.Body[0]
		}
		return sectionEnd(p)
	}
	if p.Close == d { // a close tag: what follows its section
		return after(p)
	}
	return after(d)
}

// after returns the node whose line follows n and everything it holds.
func after(n Node) Node {
	for {
		p := n.Parent()
		if p == nil {
			return nil
		}
		if i := p.Index(n); i >= 0 && i+1 < len(p.Body) {
			return p.Body[i+1]
		}
		if p.IsRoot() {
			return nil
		}
		if end := sectionEnd(p); end != nil {
			return end
		}
		n = p
	}
}

// sectionEnd is the tag that ends s (its own close tag, or the outer one
// that closed it), or what follows s when the file ends inside it.
func sectionEnd(s *Section) Node {
	switch {
	case s.Close != nil:
		return s.Close
	case s.ClosedBy != nil:
		return s.ClosedBy
	}
	return after(s)
}

// JoinNext makes d's last physical line, which ends in a backslash and
// blanks (see BlankedBackslash), continue onto the next line, as httpd
// would read it without the blanks: they are cut, and the plain
// directive holding the next line (NextLine) becomes part of d, its
// bytes as they were. Every other node keeps its bytes and position (no
// line is added or removed), and the tree is the one parsing the new text
// gives. It reports false and changes nothing when d's line does not end
// so, the next line is not a plain directive (a blank line, a comment, a
// tag, the end of the file), or d is an open tag that, joined, would
// pair with the close tags differently ("<Location \" and ">" would
// close a section rather than open one).
func (d *Directive) JoinNext() bool {
	at := blankedBackslash(d.raw)
	if at < 0 || d.kind == CloseTag {
		return false
	}
	if p := d.parent; d.kind == OpenTag && (p == nil || p.Open != d) {
		return false // an open tag written for a close tag
	}
	next, ok := NextLine(d).(*Directive)
	if !ok || next.kind != Plain || next.parent == nil {
		return false
	}
	end := len(d.raw) - eolLen(d.raw)
	raw := make([]byte, 0, at+1+len(d.raw)-end+len(next.raw))
	raw = append(raw, d.raw[:at+1]...)
	raw = append(raw, d.raw[end:]...)
	raw = append(raw, next.raw...)
	if d.kind == OpenTag {
		// The tags pair as before only if the name stays and the tag
		// still opens a section (pairTag).
		joined := Directive{line: line{raw: raw}}
		joined.scan()
		if joined.kind != OpenTag || joined.Name() != d.Name() ||
			(!joined.MissingBracket() && requiresArgs(joined.Name()) && !joined.HasArgs()) {
			return false
		}
	}
	next.parent.detach(next)
	d.setRaw(raw)
	return true
}
