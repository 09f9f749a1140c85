package ast

import (
	"bytes"
	"runtime"
)

// An Outline is a file's top level, read the way Parse reads the file but
// without building its tree: where each top-level node starts, what it is,
// and the file's layout. A big file is cut into parts from its outline and
// then parsed only part by part (fixes.RunParts), never whole: the whole
// tree of a 100k-vhost config is a gigabyte that nothing needs.
type Outline struct {
	Layout Layout
	// Top are the top-level nodes in order, as Parse makes them.
	Top []TopNode
	// OpenAsClose reports that a section is closed by an open tag written
	// for its close tag ("<Location>" for "</Location>").
	OpenAsClose bool
	// Stretches are where in Top each stretch of the text read on its own
	// goroutine starts (see ReadOutline): [0], or [0, k].
	Stretches []int
}

// TopNode is one top-level node of an outline.
type TopNode struct {
	Offset int // where its first line starts in the file's text
	Line   int // its first line
	Kind   TopKind
	// Name is a section's or a plain directive's name, and Close the name
	// in the tag that closed a section ("" when the file ends first), both
	// as written.
	Name, Close string
}

// TopKind tells what a top-level node is.
type TopKind uint8

const (
	TopBlank TopKind = iota
	TopComment
	TopDirective // a directive or a stray close tag
	TopSection
)

// OutlineHooks let the caller see inside the top-level sections while the
// outline is read. The *Directive passed is reused for the next line: keep
// what its methods return (strings), not the pointer.
type OutlineHooks struct {
	// Directive is called with each plain directive inside top-level
	// node top of its stretch (Outline.Top[Stretches[k]+top]).
	Directive func(top int, d *Directive)
	// Section is called with the open tag of each section, at any depth.
	Section func(top int, open *Directive)
}

// ReadOutline reads src, the whole text of the file name, into its
// outline. Its only error is Parse's: a NUL byte.
//
// A big text is read in two stretches at once, the second from an open
// tag at the start of a line past the middle (where a VirtualHost
// usually starts): hooks(k) gives the hooks for stretch k, called on that
// stretch's goroutine. If the first stretch ends inside a section after
// all, it reads on to the end itself and the second stretch's work (and
// what its hooks saw) does not count: Outline.Stretches then holds only
// the first.
func ReadOutline(name string, src []byte, hooks func(stretch int) OutlineHooks) (*Outline, error) {
	if err := checkNUL(name, src, 1); err != nil {
		return nil, err
	}
	head := newOutlineReader(len(src), hooks(0))
	head.line = 1
	from := 0
	if bytes.HasPrefix(src, []byte(bom)) {
		from = len(bom)
		head.bomEnd = from
	}
	mid := 0
	if len(src) >= parallelParse && runtime.GOMAXPROCS(0) > 1 {
		mid = stretchStart(src, from)
	}
	o := &Outline{Stretches: []int{0}}
	if mid == 0 {
		head.read(src, from, len(src))
	} else {
		tail := newOutlineReader(len(src)-mid, hooks(1))
		tail.line = 1 + bytes.Count(src[:mid], []byte{'\n'})
		done := make(chan struct{})
		go func() {
			defer close(done)
			tail.read(src, mid, len(src))
		}()
		head.read(src, from, mid)
		if len(head.open) == 0 { // the guess was right: same state at mid
			<-done
			o.Stretches = append(o.Stretches, len(head.top))
			head.top = append(head.top, tail.top...)
			head.openAsClose = head.openAsClose || tail.openAsClose
			if !head.learn.decided {
				head.learn = tail.learn
			}
		} else {
			head.read(src, mid, len(src))
			<-done
		}
	}
	o.Top, o.OpenAsClose = head.top, head.openAsClose
	o.Layout = Layout{eol: dominantEOL(src), step: head.learn.step()}
	return o, nil
}

// stretchStart returns where the second stretch of a text read in two
// starts: the first line past the middle that starts with an open tag,
// and not inside a continued line; 0 when there is none.
func stretchStart(src []byte, from int) int {
	for i := from + (len(src)-from)/2; ; {
		j := bytes.Index(src[i:], []byte("\n<"))
		if j < 0 {
			return 0
		}
		nl := i + j
		i = nl + 1
		if i+1 < len(src) && src[i+1] != '/' && !continues(src[:nl]) {
			return i
		}
	}
}

// continues reports whether the physical line that src ends with (its
// line ending cut off) ends in a continuation backslash, which joins the
// next line to it (the rule of nextLogical).
func continues(src []byte) bool {
	src = bytes.TrimSuffix(src, []byte{'\r'})
	return len(src) > 0 && src[len(src)-1] == '\\'
}

// outlineReader reads one stretch of a text into top-level nodes; it can
// go on reading where it stopped.
type outlineReader struct {
	hooks       OutlineHooks
	top         []TopNode
	openAsClose bool
	line        int      // of the next line
	bomEnd      int      // where a byte order mark ends (the first node starts at 0)
	open        []string // names of the open sections, outermost first
	learn       stepLearner
	first       []byte // a top-level section's open tag, until its body's first line
	d           Directive

	// Two readers are made one after the other and written on two
	// goroutines: the pad keeps them off each other's cache lines.
	_ [64]byte
}

func newOutlineReader(size int, hooks OutlineHooks) *outlineReader {
	return &outlineReader{hooks: hooks, top: make([]TopNode, 0, size/512+16)} // a vhost is about 700 bytes
}

func (r *outlineReader) openName(k int) string { return r.open[k-1] }

// read reads the logical lines of src[from:to] (to is where a line starts).
func (r *outlineReader) read(src []byte, from, to int) {
	d := &r.d
	for start := from; start < to; {
		end, physical := nextLogical(src, start)
		raw := src[start:end:end]
		at, ln := start, r.line
		start, r.line = end, r.line+physical
		if at == r.bomEnd {
			at = 0 // a byte order mark belongs to the first node
		}
		fv := firstVisible(raw)
		isTag := false
		if fv >= 0 && raw[fv] != '#' {
			*d = Directive{}
			d.raw = raw
			d.scan()
			isTag = d.kind != Plain
		}
		if len(r.open) == 0 {
			n := TopNode{Offset: at, Line: ln, Kind: TopDirective}
			switch {
			case fv < 0:
				n.Kind = TopBlank
			case raw[fv] == '#':
				n.Kind = TopComment
			case d.kind == Plain:
				n.Name = d.Name()
			case d.kind == OpenTag: // with nothing open, a tag opens a section
				n.Kind, n.Name = TopSection, d.Name()
				r.open = append(r.open, n.Name)
				r.first = raw
				if r.hooks.Section != nil {
					r.hooks.Section(len(r.top), d)
				}
			}
			r.top = append(r.top, n)
			continue
		}
		top := len(r.top) - 1
		act, k := tagOpens, 0
		if isTag {
			act, k = pairTag(d, len(r.open), r.openName)
		}
		if r.first != nil && fv >= 0 {
			// The top-level section's body starts here, unless this tag
			// ends it (only it is open).
			if !isTag || act == tagOpens {
				r.learn.see(r.first, raw)
			}
			r.first = nil
		}
		switch {
		case fv < 0 || raw[fv] == '#':
		case !isTag:
			if r.hooks.Directive != nil {
				r.hooks.Directive(top, d)
			}
		case act == tagOpens:
			r.open = append(r.open, d.Name())
			if r.hooks.Section != nil {
				r.hooks.Section(top, d)
			}
		default: // tagClosesInnermost or tagClosesAt (none is stray: a section is open)
			if d.kind == OpenTag {
				r.openAsClose = true
			}
			if act == tagClosesInnermost {
				k = len(r.open)
			}
			r.open = r.open[:k-1]
			if len(r.open) == 0 {
				r.top[top].Close = d.Name()
			}
		}
	}
}
