package rewrite

import (
	"fmt"
	"strings"
)

// contextLines is the number of unchanged lines shown around a change, as
// diff -u does.
const contextLines = 3

// Diff returns a unified diff from old to new with both headers naming path,
// exactly as given, so that `patch -p0` and `git apply -p0` run from the same
// directory find the file. It returns "" when old and new are equal. Line
// endings are kept byte for byte (CRLF lines stay CRLF), and a last line
// without a newline is marked `\ No newline at end of file`.
func Diff(path string, old, new []byte) string {
	if string(old) == string(new) {
		return ""
	}
	a, b := splitLines(old), splitLines(new)
	ops := alignLines(a, b)
	var sb strings.Builder
	name := headerName(path)
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", name, name)
	for _, h := range hunks(ops) {
		h.render(&sb, a, b)
	}
	return sb.String()
}

// headerName quotes a path the way git does when it holds bytes that would
// end or garble a header line; GNU patch reads the same quoting.
func headerName(path string) string {
	if !strings.ContainsAny(path, "\t\n\r\"\\") {
		return path
	}
	var sb strings.Builder
	sb.WriteByte('"')
	for i := 0; i < len(path); i++ {
		switch c := path[i]; c {
		case '\t':
			sb.WriteString(`\t`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '"', '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

// hunk is one "@@" block: its changed lines and the context around them.
type hunk struct {
	aStart, bStart int // 0-based first line of the hunk on each side
	lines          []hunkLine
}

type hunkLine struct {
	kind opKind
	a, b int // line index on the old (equal, delete) or new (insert) side
}

// hunks groups the edit script into hunks with contextLines of context,
// joining changes that are at most 2·contextLines apart.
func hunks(ops []op) []hunk {
	var out []hunk
	var cur *hunk
	ai, bi := 0, 0
	for k, o := range ops {
		if o.kind == opEqual {
			if cur != nil {
				// Lines after the current hunk's last change.
				if k == len(ops)-1 || o.n > 2*contextLines {
					for x := 0; x < min(o.n, contextLines); x++ {
						cur.lines = append(cur.lines, hunkLine{opEqual, ai + x, bi + x})
					}
					out = append(out, *cur)
					cur = nil
				} else {
					for x := 0; x < o.n; x++ {
						cur.lines = append(cur.lines, hunkLine{opEqual, ai + x, bi + x})
					}
				}
			}
			ai, bi = ai+o.n, bi+o.n
			continue
		}
		if cur == nil {
			lead := 0
			if k > 0 && ops[k-1].kind == opEqual {
				lead = min(ops[k-1].n, contextLines)
			}
			cur = &hunk{aStart: ai - lead, bStart: bi - lead}
			for x := lead; x > 0; x-- {
				cur.lines = append(cur.lines, hunkLine{opEqual, ai - x, bi - x})
			}
		}
		for x := 0; x < o.n; x++ {
			if o.kind == opDelete {
				cur.lines = append(cur.lines, hunkLine{opDelete, ai + x, bi})
			} else {
				cur.lines = append(cur.lines, hunkLine{opInsert, ai, bi + x})
			}
		}
		if o.kind == opDelete {
			ai += o.n
		} else {
			bi += o.n
		}
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out
}

func (h hunk) render(sb *strings.Builder, a, b []string) {
	na, nb := 0, 0
	for _, l := range h.lines {
		if l.kind != opInsert {
			na++
		}
		if l.kind != opDelete {
			nb++
		}
	}
	fmt.Fprintf(sb, "@@ -%s +%s @@\n", hunkRange(h.aStart, na), hunkRange(h.bStart, nb))
	for _, l := range h.lines {
		var text string
		switch l.kind {
		case opEqual:
			sb.WriteByte(' ')
			text = a[l.a]
		case opDelete:
			sb.WriteByte('-')
			text = a[l.a]
		case opInsert:
			sb.WriteByte('+')
			text = b[l.b]
		}
		sb.WriteString(text)
		if !strings.HasSuffix(text, "\n") {
			sb.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange is "start,count" as diff -u writes it: 1-based, ",count"
// omitted for one line, and for an empty range the line before it.
func hunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}
