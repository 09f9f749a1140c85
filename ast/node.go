package ast

import (
	"fmt"
	"runtime"
	"slices"
	"sync/atomic"
)

// Pos is a 1-based line and byte column. The zero Pos means "not from the
// source" (a node created by an edit).
type Pos struct {
	Line, Col int
}

// IsValid reports whether p points into the source.
func (p Pos) IsValid() bool { return p.Line > 0 }

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Node is one element of a configuration body: *Blank, *Comment, *Directive
// or *Section.
type Node interface {
	// Pos is where the node starts: its first non-blank byte.
	Pos() Pos
	// Parent is the section whose body holds the node; the file's root
	// section for top-level nodes; nil for a detached node.
	Parent() *Section
	setParent(*Section)
	appendTo(b []byte) []byte
}

// line is what every one-line node shares: the exact source bytes of one
// logical line (physical lines joined by backslash continuations), including
// its indentation and line ending. Edits rebuild raw, so printing is always
// concatenation.
//
// A big configuration has hundreds of thousands of lines, and walking them
// costs a cache miss per node, so nodes are kept small: positions in 32
// bits, and the fields only a Directive uses are here too, in what would
// otherwise be padding (Go does not put an outer struct's fields into an
// embedded struct's padding), so that a Directive fits in 64 bytes.
type line struct {
	raw    []byte
	parent *Section
	// ln and col are the position (Pos).
	ln, col int32

	// Directive only: where the name is in raw, how many arguments the
	// parsed list has, the kind, the name's first byte in lower case (Is
	// rejects most names without reading raw) and flags.
	nameStart, nameEnd int32
	nargs              int32
	kind               Kind
	name0              byte
	flags              lineFlags
}

type lineFlags uint8

const (
	fresh          lineFlags = 1 << iota // built by an edit, not yet placed in a tree
	parsed                               // Directive: the argument list is there
	missingBracket                       // Directive: a tag without its '>'
	roomBefore                           // raw starts indentRoom bytes into a buffer of the line's own
)

// setRaw gives the line new bytes (with no room before them).
func (l *line) setRaw(raw []byte) { l.raw, l.flags = raw, l.flags&^roomBefore }

func (l *line) isFresh() bool { return l.flags&fresh != 0 }
func (l *line) setFresh(on bool) {
	if on {
		l.flags |= fresh
	} else {
		l.flags &^= fresh
	}
}

func (l *line) Pos() Pos                 { return Pos{Line: int(l.ln), Col: int(l.col)} }
func (l *line) setPos(p Pos)             { l.ln, l.col = int32(p.Line), int32(p.Col) }
func (l *line) Parent() *Section         { return l.parent }
func (l *line) setParent(s *Section)     { l.parent = s }
func (l *line) appendTo(b []byte) []byte { return append(b, l.raw...) }
func (l *line) Raw() []byte              { return l.raw } // shared: do not modify
// Indent is a view of the line's bytes, as Name is: no byte of a line
// changes once it is placed (reframe writes only before a fresh line's
// text), and inserting nodes asks every sibling's indentation.
func (l *line) Indent() string          { return view(l.raw[:indentLen(l.raw)]) }
func (l *line) EOL() string             { return string(l.raw[len(l.raw)-eolLen(l.raw):]) }
func (l *line) setIndent(indent string) { l.setRaw(concat(indent, l.raw[indentLen(l.raw):])) }
func (l *line) setEOL(eol string) {
	l.setRaw(concat(string(l.raw[:len(l.raw)-eolLen(l.raw)]), []byte(eol)))
}
func (l *line) body() []byte           { return l.raw[indentLen(l.raw) : len(l.raw)-eolLen(l.raw)] }
func concat(a string, b []byte) []byte { return append([]byte(a), b...) }

// Blank is a line holding only white space.
type Blank struct{ line }

// Comment is a line whose first non-blank byte is '#'. A comment ending in a
// backslash continues onto the next physical line, exactly as in httpd.
type Comment struct{ line }

// Text is the comment without indentation and line ending, '#' included.
func (c *Comment) Text() string { return string(c.body()) }

// Section is a container: an open tag, a body and a close tag. The file's
// root section has neither tag.
type Section struct {
	Open  *Directive // nil for the root
	Body  []Node
	Close *Directive // nil for the root, or when the close tag is missing

	parent *Section
	file   *File // set on the root only

	// Unclosed says why Close is nil on a non-root section.
	Unclosed Unclosed
	// ClosedBy is the close tag of an enclosing section that ended this one
	// (Unclosed == UnclosedByOuter).
	ClosedBy *Directive
}

// Unclosed tells how a section came to have no close tag.
type Unclosed uint8

const (
	NotUnclosed     Unclosed = iota
	UnclosedAtEOF            // the file ended first
	UnclosedByOuter          // an enclosing section's close tag came first
)

// Pos is the position of the open tag.
func (s *Section) Pos() Pos {
	if s.Open == nil {
		return Pos{Line: 1, Col: 1}
	}
	return s.Open.Pos()
}
func (s *Section) Parent() *Section     { return s.parent }
func (s *Section) setParent(p *Section) { s.parent = p }

// Name is the section's name as written in its open tag ("VirtualHost").
func (s *Section) Name() string {
	if s.Open == nil {
		return ""
	}
	return s.Open.Name()
}

// Is reports whether the section's name equals name, ignoring case as httpd does.
func (s *Section) Is(name string) bool { return s.Open != nil && s.Open.Is(name) }

// Args are the open tag's arguments, without the closing '>'.
func (s *Section) Args() []Arg {
	if s.Open == nil {
		return nil
	}
	return s.Open.Args()
}

// NumArgs is len(s.Args()).
func (s *Section) NumArgs() int {
	if s.Open == nil {
		return 0
	}
	return s.Open.NumArgs()
}

// IsRoot reports whether s is a file's root section.
func (s *Section) IsRoot() bool { return s.Open == nil }

// File returns the file s belongs to, or nil when detached.
func (s *Section) File() *File {
	for p := s; p != nil; p = p.parent {
		if p.file != nil {
			return p.file
		}
	}
	return nil
}

func (s *Section) appendTo(b []byte) []byte {
	// Iterative so that deeply nested sections cannot exhaust the stack.
	type frame struct {
		s *Section
		i int
	}
	stack := []frame{{s, -1}}
	start := len(b)
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.i == -1 {
			if top.s.Open != nil {
				b = s.put(b, start, top.s.Open.raw)
			}
			top.i = 0
		}
		if top.i < len(top.s.Body) {
			var raw []byte
			switch n := top.s.Body[top.i].(type) {
			case *Directive:
				raw = n.raw
			case *Comment:
				raw = n.raw
			case *Blank:
				raw = n.raw
			case *Section:
				top.i++
				stack = append(stack, frame{n, -1})
				continue
			}
			top.i++
			b = s.put(b, start, raw)
			continue
		}
		if top.s.Close != nil {
			b = s.put(b, start, top.s.Close.raw)
		}
		stack = stack[:len(stack)-1]
	}
	return b
}

// put appends one line's bytes to b, whose output began at start. An edit
// can put a line after the old last line, which may have no line ending or
// end in a continuation that joined nothing; it is ended first (an empty
// line for the continuation to join) so lines never merge.
func (s *Section) put(b []byte, start int, raw []byte) []byte {
	if len(b) > start && (b[len(b)-1] != '\n' || endsInContinuation(b[start:])) {
		eol := "\n"
		if f := s.File(); f != nil {
			eol = f.eol
		}
		b = append(b, endingFor(b[start:], eol)...)
	}
	return append(b, raw...)
}

// File is a parsed configuration file.
type File struct {
	Name string
	// BOM is a UTF-8 byte order mark that preceded the first line. httpd does
	// not skip it; it is kept so printing is exact.
	BOM  bool
	Root *Section
	// Size is the length of the source in bytes.
	Size int
	// edits counts the edits made to the tree since parsing. Passes may
	// edit different sections of one file on several goroutines, so it is
	// the one thing they share and is atomic.
	edits atomic.Int64

	line     int // of the first line: a part of a file starts further on
	eol      string
	stepVal  string
	stepDone bool
}

// Body returns the top-level nodes.
func (f *File) Body() []Node { return f.Root.Body }

// EOL is the file's dominant line ending ("\n" or "\r\n"), used for new lines.
func (f *File) EOL() string { return f.eol }

// Print returns the file's bytes. For an unedited file it equals the parsed
// source exactly.
func Print(f *File) []byte { return AppendPrint(nil, f) }

// AppendPrint appends the file's bytes to b, for a caller that prints
// many files and reuses its buffers.
func AppendPrint(b []byte, f *File) []byte {
	// Room for what the passes add; memory reserved and never written
	// costs nothing.
	b = slices.Grow(b, f.Size+f.Size/4+512)
	if f.BOM {
		b = append(b, bom...)
	}
	body := f.Root.Body
	if f.Size < parallelPrint || len(body) < 2 || runtime.GOMAXPROCS(0) < 2 {
		return f.Root.appendTo(b)
	}
	// A big tree is printed in two halves at once: after the passes its
	// nodes are spread over the heap, and walking it is mostly waiting for
	// memory, which two walkers do side by side. The second half starts
	// as if the output were empty; the line ending a line without one
	// would have got from it is added where the halves meet.
	half := len(body) / 2
	var rest []byte
	done := make(chan struct{})
	go func() {
		defer close(done)
		tail := &Section{Body: body[half:], file: f}
		size := f.Size / len(body) * (len(body) - half)
		rest = tail.appendTo(make([]byte, 0, size+size/4+512))
	}()
	start := len(b)
	b = (&Section{Body: body[:half], file: f}).appendTo(b)
	<-done
	if len(rest) > 0 && len(b) > start && b[len(b)-1] != '\n' {
		b = append(b, endingFor(b[start:], f.eol)...)
	}
	return append(b, rest...)
}

// parallelPrint is the size from which Print uses a second goroutine.
var parallelPrint = 1 << 20 // a variable for tests

// PrintNode returns the bytes of one node (a section with all it holds).
func PrintNode(n Node) []byte { return n.appendTo(nil) }

const bom = "\xef\xbb\xbf"

func lineOf(n Node) *line {
	switch n := n.(type) {
	case *Blank:
		return &n.line
	case *Comment:
		return &n.line
	case *Directive:
		return &n.line
	case *Section:
		if n.Open != nil {
			return &n.Open.line
		}
	}
	return nil
}

// Indent returns the indentation of a node's first line.
func Indent(n Node) string {
	if l := lineOf(n); l != nil {
		return l.Indent()
	}
	return ""
}

// Edits is the number of edits made to the tree since parsing.
func (f *File) Edits() int64 { return f.edits.Load() }

func (f *File) edited() { f.edits.Add(1) }
