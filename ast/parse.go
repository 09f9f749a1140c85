package ast

import (
	"bytes"
	"fmt"
	"strings"
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
func Parse(name string, src []byte) (*File, error) {
	if i := bytes.IndexByte(src, 0); i >= 0 {
		line := bytes.Count(src[:i], []byte{'\n'}) + 1
		col := i - bytes.LastIndexByte(src[:i], '\n')
		return nil, &Error{File: name, Pos: Pos{line, col}, Msg: "NUL byte in configuration text"}
	}
	f := &File{Name: name, Size: len(src), eol: "\n"}
	if crlf := bytes.Count(src, []byte("\r\n")); crlf > 0 && 2*crlf > bytes.Count(src, []byte{'\n'}) {
		f.eol = "\r\n"
	}
	f.Root = &Section{file: f}
	if bytes.HasPrefix(src, []byte(bom)) {
		f.BOM = true
		src = src[len(bom):]
	}
	p := parser{intern: make(map[string]string, 256)}
	stack := []*Section{f.Root}
	lineNo := 1
	for start := 0; start < len(src); {
		end, physical := nextLogical(src, start)
		raw := src[start:end:end] // capped: appends never write into src
		ind := indentLen(raw)
		pos := Pos{Line: lineNo, Col: ind + 1}
		if lineNo == 1 && f.BOM {
			pos.Col += len(bom)
		}
		lineNo += physical
		start = end
		top := stack[len(stack)-1]

		first := firstVisible(raw)
		switch {
		case first < 0:
			b := p.blanks.next()
			b.raw, b.pos = raw, pos
			top.add(b)
			continue
		case raw[first] == '#':
			c := p.comments.next()
			c.raw, c.pos = raw, pos
			top.add(c)
			continue
		}
		d := p.dirs.next()
		d.raw, d.pos = raw, pos
		d.scan(p.internName)
		switch d.kind {
		case Plain:
			top.add(d)
		case OpenTag:
			if len(stack) > 1 && !d.HasArgs() && !d.MissingBracket &&
				strings.EqualFold(d.name, top.Name()) && requiresArgs(d.name) {
				// "<locationmatch>" where "</locationmatch>" was meant: it
				// closes the innermost section (CheckStructure reports it).
				d.parent = top
				top.Close = d
				stack = stack[:len(stack)-1]
				continue
			}
			s := p.sections.next()
			s.Open = d
			d.parent = s
			top.add(s)
			stack = append(stack, s)
		case CloseTag:
			k := len(stack) - 1
			for k > 0 && !strings.EqualFold(stack[k].Name(), d.name) {
				k--
			}
			switch {
			case len(stack) == 1:
				top.add(d) // stray: CheckStructure reports it
			case k == 0:
				// Names no open section: it closes the innermost one.
				d.parent = top
				top.Close = d
				stack = stack[:len(stack)-1]
			default:
				for _, inner := range stack[k+1:] {
					inner.Unclosed = UnclosedByOuter
					inner.ClosedBy = d
				}
				d.parent = stack[k]
				stack[k].Close = d
				stack = stack[:k]
			}
		}
	}
	for _, s := range stack[1:] {
		s.Unclosed = UnclosedAtEOF
	}
	f.step() // learn the indentation unit before edits change the file
	return f, nil
}

type parser struct {
	intern   map[string]string
	dirs     slab[Directive]
	comments slab[Comment]
	blanks   slab[Blank]
	sections slab[Section]
}

// internName shares one string per distinct name: a big config repeats a
// few dozen names hundreds of thousands of times.
func (p *parser) internName(b []byte) string {
	if s, ok := p.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	p.intern[s] = s
	return s
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
