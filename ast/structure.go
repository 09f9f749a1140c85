package ast

import (
	"bytes"
	"fmt"
	"runtime"
	"sort"
	"sync"
)

// ProblemKind classifies a structural problem.
type ProblemKind uint8

const (
	Mismatch            ProblemKind = iota + 1 // </Location> closes <LocationMatch>
	ExtraBracket                               // </Location>>
	OpenAsClose                                // <locationmatch> where </locationmatch> was meant
	Stray                                      // a close tag with no open section
	UnclosedEOF                                // the file ends inside the section
	UnclosedOuter                              // an outer section's close tag ends it
	MissingOpenBracket                         // <Location "/"
	MissingCloseBracket                        // </Location
)

// Problem is a structural defect: what httpd would refuse, with the message
// it prints.
type Problem struct {
	Pos     Pos
	Kind    ProblemKind
	Section *Section   // the section concerned, if any
	Tag     *Directive // the offending tag
	Msg     string     // httpd's error text
}

// CheckStructure lists the structural problems of f in source order. The
// messages are httpd's own (server/config.c), so operators recognise them.
func CheckStructure(f *File) []Problem {
	// httpd's first error is the same for every problem of this tree, and
	// finding it replays the whole file: once per call, not per problem.
	var once sync.Once
	var firstError string
	c := structureCheck{f: f, firstError: func() string {
		once.Do(func() { firstError = firstErrorText(f) })
		return firstError
	}}
	// A big file's two halves are checked at once (each problem depends
	// only on its own node), then put in order.
	body := f.Root.Body
	var out []Problem
	if f.Size >= parallelPrint && len(body) >= 2 && runtime.GOMAXPROCS(0) > 1 {
		half := len(body) / 2
		var rest []Problem
		done := make(chan struct{})
		go func() { defer close(done); rest = c.check(nil, body[half:]) }()
		out = c.check(nil, body[:half])
		<-done
		out = append(out, rest...)
	} else {
		out = c.check(nil, body)
	}
	// Unclosed sections are reported at their open tag but found at the
	// close; keep the list in source order.
	sortProblems(out)
	return out
}

// structureCheck finds the problems among some of a file's nodes.
type structureCheck struct {
	f          *File
	firstError func() string
}

func (sc structureCheck) check(out []Problem, nodes []Node) []Problem {
	f := sc.f
	add := func(pos Pos, k ProblemKind, s *Section, tag *Directive, format string, args ...any) {
		out = append(out, Problem{Pos: pos, Kind: k, Section: s, Tag: tag, Msg: fmt.Sprintf(format, args...)})
	}
	InspectSection(&Section{Body: nodes}, func(n Node) bool {
		switch n := n.(type) {
		case *Directive:
			if n.kind == CloseTag {
				add(n.Pos(), Stray, nil, n, "</%s> without matching <%s> section", n.Name()+n.Extra(), n.Name()+n.Extra())
			}
		case *Section:
			open := n.Open
			name := CanonicalSection(open.Name())
			if open.MissingBracket() {
				add(open.Pos(), MissingOpenBracket, n, open, "<%s> directive missing closing '>'", name)
			}
			c := n.Close
			switch {
			case c == nil && n.Unclosed == UnclosedByOuter:
				add(n.ClosedBy.Pos(), UnclosedOuter, n, n.ClosedBy, "Expected </%s> but saw </%s>", name, n.ClosedBy.Name())
			case c == nil:
				add(open.Pos(), UnclosedEOF, n, open, "%s:%d: <%s> was not closed.", f.Name, open.Pos().Line, name)
			case c.kind == OpenTag:
				add(c.Pos(), OpenAsClose, n, c, "<%s> without arguments where </%s> was meant: httpd opens a new section (%s)", c.Name(), open.Name(), sc.firstError())
			case !c.Is(open.Name()):
				add(c.Pos(), Mismatch, n, c, "Expected </%s> but saw </%s>", name, c.Name()+c.Extra())
			case c.Extra() != "":
				add(c.Pos(), ExtraBracket, n, c, "Expected </%s> but saw </%s>", name, c.Name()+c.Extra())
			case c.MissingBracket():
				add(c.Pos(), MissingCloseBracket, n, c, "</%s> directive missing closing '>'", c.Name())
			}
		}
		return true
	})
	return out
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return less(ps[i].Pos, ps[j].Pos) })
}

func less(a, b Pos) bool { return a.Line < b.Line || (a.Line == b.Line && a.Col < b.Col) }

func firstErrorText(f *File) string {
	if line, msg := HttpdStructure(f.Name, Print(f)); msg != "" {
		return fmt.Sprintf("httpd: line %d: %s", line, msg)
	}
	return "httpd would misread the rest"
}

// HttpdStructure replays httpd's own section matching (ap_build_config,
// ap_build_config_sub) over src and returns the line and text of the first
// structural error httpd reports, or "" when the structure is accepted.
// Unlike Parse it does not recover: it is what httpd itself would say.
func HttpdStructure(name string, src []byte) (line int, msg string) {
	src = bytes.TrimPrefix(src, []byte(bom))
	type open struct {
		name string
		line int
	}
	var stack []open
	lineNo := 1
	var missing struct {
		line int
		msg  string
	}
	for start := 0; start < len(src); {
		end, physical := nextLogical(src, start)
		raw := src[start:end]
		here := lineNo
		lineNo += physical
		start = end
		first := firstVisible(raw)
		if first < 0 || raw[first] == '#' {
			continue
		}
		d := newDirective(raw, Pos{})
		switch d.kind {
		case OpenTag:
			stack = append(stack, open{CanonicalSection(d.Name()), here})
			if d.MissingBracket() && missing.msg == "" {
				missing.line, missing.msg = here, fmt.Sprintf("<%s> directive missing closing '>'", CanonicalSection(d.Name()))
			}
		case CloseTag:
			if len(stack) == 0 {
				return here, fmt.Sprintf("</%s> without matching <%s> section", d.Name()+d.Extra(), d.Name()+d.Extra())
			}
			if d.MissingBracket() {
				return here, fmt.Sprintf("</%s> directive missing closing '>'", d.Name())
			}
			top := stack[len(stack)-1]
			if d.Extra() != "" || !d.Is(top.name) {
				return here, fmt.Sprintf("Expected </%s> but saw </%s>", top.name, d.Name()+d.Extra())
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		if IsConditional(top.name) {
			// A true conditional may stay open; a false one cannot.
			return top.line, fmt.Sprintf("<%s> was not closed (accepted by httpd only when the condition is true)", top.name)
		}
		return top.line, fmt.Sprintf("%s:%d: <%s> was not closed.", name, top.line, top.name)
	}
	return missing.line, missing.msg
}
