package rewrite

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"sync"
	"unsafe"
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
	return diffAligned(path, old, new, nil)
}

// diffAligned is Diff with the edit script given (nil: computed here), as
// for a file fixed part by part, whose parts were aligned one by one while
// the others were fixed. A script that does not fit the texts' lines is
// not used.
func diffAligned(path string, old, new []byte, ops []op) string {
	if string(old) == string(new) {
		return ""
	}
	if !fits(ops, lineCount(old), lineCount(new)) {
		var a, b []string
		both(len(old)+len(new) > parallelBytes,
			func() { a = splitLines(old) }, func() { b = splitLines(new) })
		ops = alignLines(a, b) // the line tables are dropped after this
	}
	src := &textLines{old: old, new: new}
	hs := hunks(ops)
	name := headerName(path)
	// The text is measured first and written into one buffer: a diff of a
	// big config is tens of megabytes, and a growing builder copies it
	// over and over and leaves twice its size behind. Measured, each half
	// of the hunks can then be written on its own goroutine.
	head := 2*len(name) + len("--- \n+++ \n")
	at := make([]int, len(hs)+1) // where each hunk's text starts
	at[0] = head
	for k, h := range hs {
		at[k+1] = at[k] + h.size(src)
	}
	out := make([]byte, at[len(hs)])
	copy(out, "--- "+name+"\n+++ "+name+"\n")
	half := len(hs) / 2
	render := func(src *textLines, from, to int) {
		for k := from; k < to; k++ {
			hs[k].render(out[at[k]:at[k]:at[k+1]], src)
		}
	}
	both(len(out) > parallelBytes,
		func() { render(src.fork(), 0, half) }, func() { render(src.fork(), half, len(hs)) })
	return unsafe.String(unsafe.SliceData(out), len(out))
}

// writeDiff writes the diff from old to new along the edit script ops
// (which must fit them and hold a change) to w hunk by hunk, reading the
// lines straight from the texts: neither the diff (tens of megabytes for a
// big config) nor a table of its lines is ever held. It is a diffStream
// given the whole script at once.
func writeDiff(w io.Writer, path string, old, new []byte, ops []op) error {
	s := newDiffStream(w, path, old)
	s.newText, s.ops = new, ops
	return s.close()
}

// writeChunk is about how much of a diff is handed to its writer at
// a time.
const writeChunk = 32 << 10

// parallelBytes is the size from which a diff splits and writes on two
// goroutines.
const parallelBytes = 1 << 20

// both runs f and g, on two goroutines when parallel.
func both(parallel bool, f, g func()) {
	if !parallel {
		f()
		g()
		return
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); g() }()
	f()
	wg.Wait()
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

// hunk is one "@@" block: runs of lines, the changed ones and the context
// around them.
type hunk struct {
	aStart, bStart int // 0-based first line of the hunk on each side
	na, nb         int // lines of the hunk on each side
	runs           []run
}

// run is n lines of one kind, from old line a (equal, delete) or new line
// b (insert) on.
type run struct {
	kind opKind
	a, b int
	n    int
}

// hunks groups the edit script into hunks (see eachHunk). The runs of
// all hunks share one slice: a big config has a hunk per edited site.
func hunks(ops []op) []hunk {
	var out []hunk
	all := make([]run, 0, len(ops)+len(ops)/2+16)
	eachHunk(ops, func(h hunk) {
		from := len(all)
		all = append(all, h.runs...)
		h.runs = all[from:len(all):len(all)]
		out = append(out, h)
	})
	return out
}

// eachHunk calls fn with each hunk of the edit script in order, with
// contextLines of context, joining changes that are at most
// 2·contextLines apart. A hunk's runs are only valid during the call:
// one buffer serves them all, so that streaming a diff holds one hunk.
func eachHunk(ops []op, fn func(hunk)) { eachHunkFrom(ops, 0, 0, fn) }

// eachHunkFrom is eachHunk for a script that starts at line ai of the old
// text and bi of the new (see diffStream).
func eachHunkFrom(ops []op, ai, bi int, fn func(hunk)) {
	var runs []run
	var cur *hunk
	closeHunk := func() {
		cur.runs = runs
		fn(*cur)
		cur, runs = nil, runs[:0]
	}
	add := func(kind opKind, a, b, n int) {
		if n == 0 {
			return
		}
		runs = append(runs, run{kind, a, b, n})
		if kind != opInsert {
			cur.na += n
		}
		if kind != opDelete {
			cur.nb += n
		}
	}
	for k, o := range ops {
		if o.kind == opEqual {
			if cur != nil {
				// Lines after the current hunk's last change.
				if k == len(ops)-1 || o.n > 2*contextLines {
					add(opEqual, ai, bi, min(o.n, contextLines))
					closeHunk()
				} else {
					add(opEqual, ai, bi, o.n)
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
			add(opEqual, ai-lead, bi-lead, lead)
		}
		add(o.kind, ai, bi, o.n)
		if o.kind == opDelete {
			ai += o.n
		} else {
			bi += o.n
		}
	}
	if cur != nil {
		closeHunk()
	}
}

// noNewline follows a last line that has no line ending.
const noNewline = "\n\\ No newline at end of file\n"

// size is len(h.render(nil, src)), src positioned at or before h.
func (h hunk) size(src *textLines) int {
	n := len("@@ -") + rangeLen(h.aStart, h.na) + len(" +") + rangeLen(h.bStart, h.nb) + len(" @@\n")
	for _, r := range h.runs {
		src.seek(r)
		for range r.n {
			l := src.next(r.kind)
			n += 1 + len(l)
			if !strings.HasSuffix(l, "\n") {
				n += len(noNewline)
			}
		}
	}
	return n
}

// render appends the hunk's text to out; src must be positioned at or
// before h.
func (h hunk) render(out []byte, src *textLines) []byte {
	out = append(out, "@@ -"...)
	out = appendRange(out, h.aStart, h.na)
	out = append(out, " +"...)
	out = appendRange(out, h.bStart, h.nb)
	out = append(out, " @@\n"...)
	for _, r := range h.runs {
		mark := byte(' ')
		switch r.kind {
		case opDelete:
			mark = '-'
		case opInsert:
			mark = '+'
		}
		src.seek(r)
		for range r.n {
			l := src.next(r.kind)
			out = append(append(out, mark), l...)
			if !strings.HasSuffix(l, "\n") {
				out = append(out, noNewline...)
			}
		}
	}
	return out
}

// appendRange appends "start,count" as diff -u writes it: 1-based,
// ",count" omitted for one line, and for an empty range the line before it.
func appendRange(out []byte, start, n int) []byte {
	switch n {
	case 0:
		return append(strconv.AppendInt(out, int64(start), 10), ",0"...)
	case 1:
		return strconv.AppendInt(out, int64(start+1), 10)
	}
	out = append(strconv.AppendInt(out, int64(start+1), 10), ',')
	return strconv.AppendInt(out, int64(n), 10)
}

// rangeLen is len(appendRange(nil, start, n)).
func rangeLen(start, n int) int {
	var buf [48]byte
	return len(appendRange(buf[:0], start, n))
}

// fits reports whether ops turns na lines into nb lines.
func fits(ops []op, na, nb int) bool {
	if ops == nil {
		return false
	}
	for _, o := range ops {
		if o.kind != opInsert {
			na -= o.n
		}
		if o.kind != opDelete {
			nb -= o.n
		}
	}
	return na == 0 && nb == 0
}

// alignText returns the edit script from old to new, one part of a file's
// text (see diffAligned); appendOps joins the parts' scripts.
func alignText(old, new []byte) []op {
	if string(old) == string(new) {
		return []op{{opEqual, lineCount(old)}}
	}
	sc := alignScratchPool.Get().(*alignScratch)
	sc.a, sc.b = splitLinesTo(sc.a[:0], old), splitLinesTo(sc.b[:0], new)
	ops := alignLinesIn(sc, sc.a, sc.b)
	clear(sc.a) // the lines are views of the texts: let them go
	clear(sc.b)
	alignScratchPool.Put(sc)
	return ops
}

func lineCount(b []byte) int {
	n := bytes.Count(b, []byte{'\n'})
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}

// appendOps appends ops to script, merging a run that continues the last.
func appendOps(script, ops []op) []op {
	for _, o := range ops {
		if o.n == 0 {
			continue
		}
		if last := len(script) - 1; last >= 0 && script[last].kind == o.kind {
			script[last].n += o.n
			continue
		}
		script = append(script, o)
	}
	return script
}
