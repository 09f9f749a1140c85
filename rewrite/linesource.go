package rewrite

import "unsafe"

// textLines reads lines straight from the texts, with a cursor on each
// side that only moves forward: walking a file's lines this way costs a
// scan for line endings, while a table of them costs 16 bytes a line.
type textLines struct {
	old, new   []byte
	aLine, aAt int // cursor on old: line number and byte offset
	bLine, bAt int // on new
}

// fork returns a cursor on the same texts at their start, for a second
// goroutine.
func (t *textLines) fork() *textLines { return &textLines{old: t.old, new: t.new} }

// seek moves the cursor a run reads from to its first line. An equal run
// is read from old; new's cursor catches up when an insert needs it.
func (t *textLines) seek(r run) {
	if r.kind == opInsert {
		t.bAt = skipLines(t.new, t.bAt, r.b-t.bLine)
		t.bLine = r.b
		return
	}
	t.aAt = skipLines(t.old, t.aAt, r.a-t.aLine)
	t.aLine = r.a
}

func (t *textLines) next(kind opKind) string {
	if kind == opInsert {
		l := lineAt(t.new, t.bAt)
		t.bAt += len(l)
		t.bLine++
		return l
	}
	l := lineAt(t.old, t.aAt)
	t.aAt += len(l)
	t.aLine++
	return l
}

// skipLines returns the offset n lines after offset at in text.
func skipLines(text []byte, at, n int) int {
	for ; n > 0; n-- {
		at += len(lineAt(text, at))
	}
	return at
}

// lineAt is the line starting at offset at, with its ending; a view of
// text, not a copy.
func lineAt(text []byte, at int) string {
	s := unsafe.String(unsafe.SliceData(text[at:]), len(text)-at)
	if i := indexNewline(s); i >= 0 {
		return s[:i+1]
	}
	return s
}
