package rewrite

import (
	"io"
)

// diffStream writes the diff of a file fixed part by part while the parts
// are fixed, in order, so that neither the fixed text nor the diff is ever
// held whole. Each part brings its edit script and its new text; the
// script is written out up to the last place where a hunk surely ends (an
// unchanged run of more than 2·contextLines lines, not the last run, which
// the next part may continue), cutting that run after contextLines lines:
// the hunks on both sides of the cut are then what the whole script gives
// (TestDiffStreamMatchesDiff, FuzzDiffStream).
type diffStream struct {
	w    io.Writer
	head string // "--- name\n+++ name\n", written before the first hunk
	old  []byte // the whole old text

	aLine, aAt int    // where the pending script starts in old: line, byte
	bLine      int    // and in the new text: line number of newText[0]
	newText    []byte // the new text from bLine on, in join
	ops        []op   // the script not yet written
	join       []byte // holds newText: what is pending, then the next part's

	buf     []byte
	changed bool
	err     error // the writer's first error; nothing is written after it
}

func newDiffStream(w io.Writer, path string, old []byte) *diffStream {
	name := headerName(path)
	return &diffStream{w: w, head: "--- " + name + "\n+++ " + name + "\n", old: old}
}

// add takes the next part's edit script and new text.
func (s *diffStream) add(ops []op, newText []byte) {
	s.appendText(newText)
	s.ops = appendOps(s.ops, ops)
	last := len(s.ops) - 2 // the last run may go on in the next part
	for i := last; i >= 0; i-- {
		if o := s.ops[i]; o.kind == opEqual && o.n > 2*contextLines {
			s.write(append(s.ops[:i], op{opEqual, contextLines}))
			// What is left starts with the rest of the cut run; it moves
			// to the front, so that the script's slice is reused too.
			s.ops[i] = op{opEqual, o.n - contextLines}
			s.ops = s.ops[:copy(s.ops, s.ops[i:])]
			return
		}
	}
	// Nothing pending but unchanged lines (a file with nothing to fix, or
	// a long stretch of one): only their last contextLines can show, as
	// the leading context of a change yet to come. Moving past the rest
	// keeps the new text held small instead of the whole file's.
	if len(s.ops) == 1 && s.ops[0].kind == opEqual && s.ops[0].n > 2*contextLines {
		n := s.ops[0].n
		s.write([]op{{opEqual, n - contextLines}})
		s.ops = append(s.ops[:0], op{opEqual, contextLines})
	}
}

// appendText puts a part's new text after the pending one. Both go into
// join, which every part reuses (the pending text moves to its front):
// appending to the pending slice instead took a fresh buffer for nearly
// every part, half the size of the diff in all.
func (s *diffStream) appendText(text []byte) {
	need := len(s.newText) + len(text)
	if cap(s.join) < need {
		join := make([]byte, 0, need+need/2)
		s.join = append(append(join, s.newText...), text...)
	} else {
		n := copy(s.join[:len(s.newText)], s.newText) // newText lies in join, at or after its front
		s.join = append(s.join[:n], text...)
	}
	s.newText = s.join
}

// close writes what is left and returns the writer's error.
func (s *diffStream) close() error {
	s.render(s.ops)
	s.ops = nil
	if len(s.buf) > 0 && s.err == nil {
		_, s.err = s.w.Write(s.buf)
	}
	s.buf = nil
	return s.err
}

// write writes the hunks of ops, the pending script's beginning, and moves
// past it.
func (s *diffStream) write(ops []op) {
	src := s.render(ops)
	na, nb := 0, 0
	for _, o := range ops {
		if o.kind != opInsert {
			na += o.n
		}
		if o.kind != opDelete {
			nb += o.n
		}
	}
	// The cursors are at or before the ends of ops: move them there.
	src.seek(run{kind: opEqual, a: s.aLine + na})
	src.seek(run{kind: opInsert, b: s.bLine + nb})
	s.aLine, s.aAt = src.aLine, src.aAt
	s.bLine, s.newText = src.bLine, s.newText[src.bAt:]
}

// render writes the hunks of ops, handing the writer a chunk at a time,
// and returns the line source where it stopped.
func (s *diffStream) render(ops []op) *textLines {
	src := &textLines{old: s.old, new: s.newText, aLine: s.aLine, aAt: s.aAt, bLine: s.bLine}
	eachHunkFrom(ops, s.aLine, s.bLine, func(h hunk) {
		if !s.changed {
			s.changed = true
			s.buf = append(s.buf, s.head...)
		}
		if s.err != nil {
			return // nothing is written after an error
		}
		s.buf = h.render(s.buf, src)
		if len(s.buf) >= writeChunk {
			_, s.err = s.w.Write(s.buf)
			s.buf = s.buf[:0]
		}
	})
	return src
}
