package ast

import "bytes"

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
}

// TopNode is one top-level node of an outline.
type TopNode struct {
	Offset int // where its first line starts in the file's text
	Line   int // its first line
	Kind   TopKind
	// Name is a section's name, and Close the name in the tag that closed
	// it ("" when the file ends first), both as written.
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
	// node top (an index into Outline.Top).
	Directive func(top int, d *Directive)
	// Section is called with the open tag of each section, at any depth.
	Section func(top int, open *Directive)
}

// ReadOutline reads src, the whole text of the file name, into its
// outline. Its only error is Parse's: a NUL byte.
func ReadOutline(name string, src []byte, hooks OutlineHooks) (*Outline, error) {
	if err := checkNUL(name, src, 1); err != nil {
		return nil, err
	}
	o := &Outline{Top: make([]TopNode, 0, len(src)/512+16)} // a vhost is about 700 bytes
	skip := 0
	if bytes.HasPrefix(src, []byte(bom)) {
		skip = len(bom)
	}
	var (
		d     Directive
		open  []string // names of the open sections, outermost first
		learn stepLearner
		first []byte // a top-level section's open tag, until its body's first line
		line  = 1
	)
	openName := func(k int) string { return open[k-1] }
	for start := skip; start < len(src); {
		end, physical := nextLogical(src, start)
		raw := src[start:end:end]
		at, ln := start, line
		start, line = end, line+physical
		if at == skip {
			at = 0 // a byte order mark belongs to the first node
		}
		fv := firstVisible(raw)
		isTag := false
		if fv >= 0 && raw[fv] != '#' {
			d = Directive{}
			d.raw = raw
			d.scan()
			isTag = d.kind != Plain
		}
		if len(open) == 0 {
			n := TopNode{Offset: at, Line: ln, Kind: TopDirective}
			switch {
			case fv < 0:
				n.Kind = TopBlank
			case raw[fv] == '#':
				n.Kind = TopComment
			case d.kind == OpenTag: // with nothing open, a tag opens a section
				n.Kind, n.Name = TopSection, d.Name()
				open = append(open, n.Name)
				first = raw
				if hooks.Section != nil {
					hooks.Section(len(o.Top), &d)
				}
			}
			o.Top = append(o.Top, n)
			continue
		}
		top := len(o.Top) - 1
		act, k := tagOpens, 0
		if isTag {
			act, k = pairTag(&d, len(open), openName)
		}
		if first != nil && fv >= 0 {
			// The top-level section's body starts here, unless this tag
			// ends it (only it is open).
			if !isTag || act == tagOpens {
				learn.see(first, raw)
			}
			first = nil
		}
		switch {
		case fv < 0 || raw[fv] == '#':
		case !isTag:
			if hooks.Directive != nil {
				hooks.Directive(top, &d)
			}
		case act == tagOpens:
			open = append(open, d.Name())
			if hooks.Section != nil {
				hooks.Section(top, &d)
			}
		default: // tagClosesInnermost or tagClosesAt (none is stray: a section is open)
			if d.kind == OpenTag {
				o.OpenAsClose = true
			}
			if act == tagClosesInnermost {
				k = len(open)
			}
			open = open[:k-1]
			if len(open) == 0 {
				o.Top[top].Close = d.Name()
			}
		}
	}
	o.Layout = Layout{eol: dominantEOL(src), step: learn.step()}
	return o, nil
}
