package rewrite

import "unsafe"

// lineSource hands a hunk renderer the lines of its runs, in order: seek
// positions it at a run's first line, next returns the run's lines one by
// one (with their endings). Runs must be visited in script order; a source
// that reads the texts themselves only ever moves forward.
type lineSource interface {
	seek(r run)
	next(kind opKind) string
	// fork returns a source of the same lines positioned at the start, for
	// a second goroutine.
	fork() lineSource
}

// tableLines reads lines from tables made by splitLines (they exist when
// the script was computed here).
type tableLines struct {
	a, b []string
	at   int // the next line of the run being read
}

func (t *tableLines) seek(r run) {
	t.at = r.a
	if r.kind == opInsert {
		t.at = r.b
	}
}

func (t *tableLines) next(kind opKind) string {
	l := t.b
	if kind != opInsert {
		l = t.a
	}
	t.at++
	return l[t.at-1]
}

func (t *tableLines) fork() lineSource { return &tableLines{a: t.a, b: t.b} }

// textLines reads lines straight from the texts, with a cursor on each
// side that only moves forward: walking a file's lines this way costs a
// scan for line endings, while a table of them costs 16 bytes a line.
type textLines struct {
	old, new   []byte
	aLine, aAt int // cursor on old: line number and byte offset
	bLine, bAt int // on new
}

func (t *textLines) fork() lineSource { return &textLines{old: t.old, new: t.new} }

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
