package rewrite

import (
	"hash/maphash"
	"slices"
	"sort"
	"sync"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Line alignment. go-diff's line mode is correct but quadratic-ish and
// panics above about 1.1M distinct lines, so it only ever sees small
// regions: the common prefix and suffix are cut off first, large middles are
// split on lines that occur exactly once on both sides (patience-style
// anchors), and a region still too large for go-diff becomes one plain
// delete/insert. Every step is linear (anchors: n log n), so a 400k-line file
// with a few edits costs about as much as reading it.

// opKind is one step of an edit script.
type opKind uint8

const (
	opEqual opKind = iota
	opDelete
	opInsert
)

// op is a run of n lines of one kind.
type op struct {
	kind opKind
	n    int
}

const (
	// goDiffMaxLines bounds the lines (both sides) of a region handed to
	// go-diff; Myers is O((N+M)·D), so this bounds its cost.
	goDiffMaxLines = 4000
	// goDiffMinAnchored: regions up to this many lines go straight to
	// go-diff, whose Myers alignment reads best on small changes.
	goDiffMinAnchored = 16
	// anchorMaxDepth bounds how often a region is re-split on anchors.
	anchorMaxDepth = 8
)

// aligner computes an edit script between two line lists.
type aligner struct {
	a, b     []string // lines, each with its line ending
	ida, idb []int32  // interned line ids: equal lines, equal ids
	ids      int      // number of distinct ids
	ops      []op

	countA, countB, where []int32 // scratch indexed by id (counts kept zeroed)
	runes                 []rune  // goDiff's scratch indexed by id, kept zeroed
}

// alignLines returns the edit script turning a into b.
func alignLines(a, b []string) []op {
	return alignLinesIn(nil, a, b)
}

// alignLinesIn is alignLines with the tables taken from sc when it is
// not nil (see alignText).
func alignLinesIn(sc *alignScratch, a, b []string) []op {
	al := &aligner{a: a, b: b}
	al.ida, al.idb, al.ids = internLines(sc, a, b)
	if sc != nil {
		al.countA, al.countB, al.where = sc.counts(al.ids)
	}
	// Room for an edit every few lines; untouched capacity costs nothing.
	al.ops = make([]op, 0, 16+(len(a)+len(b))/8)
	al.diff(0, len(a), 0, len(b), 0)
	return al.ops
}

// alignScratch holds the tables of one small alignment for the next: a
// big config fixed in parts aligns each part on its own, and making them
// anew for each was a tenth of what the run allocated. The per-id counts
// are left zeroed by the aligner, as it found them.
type alignScratch struct {
	a, b                  []string
	ha, hb                []uint64
	ida, idb              []int32
	ids                   lineIDs
	countA, countB, where []int32
}

var alignScratchPool = sync.Pool{New: func() any { return new(alignScratch) }}

// counts returns the three per-id tables, n long and zeroed.
func (sc *alignScratch) counts(n int) (countA, countB, where []int32) {
	if cap(sc.countA) < n {
		sc.countA, sc.countB, sc.where = make([]int32, n), make([]int32, n), make([]int32, n)
	}
	return sc.countA[:n], sc.countB[:n], sc.where[:n]
}

// resized returns s with length n, reusing its array when it is big enough;
// the contents are not cleared.
func resized[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// internLines numbers the distinct lines of a and b (ids are dense from 0)
// and returns each side's ids and their count. A small alignment takes its
// tables from sc when it is not nil; a large one makes its own.
func internLines(sc *alignScratch, a, b []string) ([]int32, []int32, int) {
	na := int32(len(a))
	line := func(i int32) string {
		if i < na {
			return a[i]
		}
		return b[i-na]
	}
	seed := maphash.MakeSeed()
	if len(a)+len(b) < parallelLines {
		if sc == nil {
			sc = new(alignScratch)
		}
		sc.ha, sc.hb = resized(sc.ha, len(a)), resized(sc.hb, len(b))
		sc.ida, sc.idb = resized(sc.ida, len(a)), resized(sc.idb, len(b))
		hashLinesTo(sc.ha, seed, a)
		hashLinesTo(sc.hb, seed, b)
		t := &sc.ids
		t.reset(len(a)+len(b), line)
		for i, h := range sc.ha {
			sc.ida[i] = t.id(int32(i), h)
		}
		for j, h := range sc.hb {
			sc.idb[j] = t.id(na+int32(j), h)
		}
		t.lines = nil // holds a and b
		return sc.ida, sc.idb, t.count()
	}
	ha, hb := hashLines(seed, a), hashLines(seed, b)
	ida, idb := make([]int32, len(a)), make([]int32, len(b))
	// Two goroutines, each with a table of its own for the lines whose
	// hash has its parity: equal lines hash alike, so they still get equal
	// ids (2·local id + parity). Only equality of ids matters to the
	// alignment, not their values.
	var count [2]int
	var wg sync.WaitGroup
	for parity := range uint64(2) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := newLineIDs((len(a)+len(b))/2, line)
			for i, h := range ha {
				if h&1 == parity {
					ida[i] = 2*t.id(int32(i), h>>1) + int32(parity)
				}
			}
			for j, h := range hb {
				if h&1 == parity {
					idb[j] = 2*t.id(na+int32(j), h>>1) + int32(parity)
				}
			}
			count[parity] = t.count()
		}()
	}
	wg.Wait()
	return ida, idb, 2 * max(count[0], count[1])
}

// parallelLines is the size (lines of both sides) from which a diff uses
// two goroutines where it can.
const parallelLines = 1 << 15

func (al *aligner) emit(k opKind, n int) {
	if n == 0 {
		return
	}
	if last := len(al.ops) - 1; last >= 0 && al.ops[last].kind == k {
		al.ops[last].n += n
		return
	}
	al.ops = append(al.ops, op{k, n})
}

// diff aligns a[a0:a1] with b[b0:b1].
func (al *aligner) diff(a0, a1, b0, b1, depth int) {
	p := 0
	for a0+p < a1 && b0+p < b1 && al.ida[a0+p] == al.idb[b0+p] {
		p++
	}
	al.emit(opEqual, p)
	a0, b0 = a0+p, b0+p
	s := 0
	for a1-s > a0 && b1-s > b0 && al.ida[a1-s-1] == al.idb[b1-s-1] {
		s++
	}
	al.middle(a0, a1-s, b0, b1-s, depth)
	al.emit(opEqual, s)
}

// middle aligns a region whose first and last lines differ.
func (al *aligner) middle(a0, a1, b0, b1, depth int) {
	n, m := a1-a0, b1-b0
	switch {
	case n == 0:
		al.emit(opInsert, m)
		return
	case m == 0:
		al.emit(opDelete, n)
		return
	case n == 1 || m == 1:
		al.single(a0, a1, b0, b1)
		return
	case al.forced(a0, a1, b0, b1):
		// Emitted without go-diff: most edited regions of a config are
		// like this.
		return
	case n+m <= goDiffMinAnchored:
		al.goDiff(a0, a1, b0, b1)
		return
	}
	// Anchoring is linear and cheaper than go-diff, so larger regions are
	// split first and go-diff gets only what has no anchors.
	if depth < anchorMaxDepth {
		if anchors := al.anchors(a0, a1, b0, b1); len(anchors) > 0 {
			i, j := a0, b0
			for _, an := range anchors {
				al.diff(i, an.i, j, an.j, depth+1)
				al.emit(opEqual, 1)
				i, j = an.i+1, an.j+1
			}
			al.diff(i, a1, j, b1, depth+1)
			return
		}
	}
	if n+m <= goDiffMaxLines {
		al.goDiff(a0, a1, b0, b1)
		return
	}
	// Too large and nothing to anchor on: one plain replacement.
	al.emit(opDelete, n)
	al.emit(opInsert, m)
}

// single aligns a region where one side is a single line: the best
// alignment keeps that line if the other side has it.
func (al *aligner) single(a0, a1, b0, b1 int) {
	if a1-a0 == 1 {
		for j := b0; j < b1; j++ {
			if al.idb[j] == al.ida[a0] {
				al.emit(opInsert, j-b0)
				al.emit(opEqual, 1)
				al.emit(opInsert, b1-j-1)
				return
			}
		}
	} else {
		for i := a0; i < a1; i++ {
			if al.ida[i] == al.idb[b0] {
				al.emit(opDelete, i-a0)
				al.emit(opEqual, 1)
				al.emit(opDelete, a1-i-1)
				return
			}
		}
	}
	al.emit(opDelete, a1-a0)
	al.emit(opInsert, b1-b0)
}

type anchor struct{ i, j int }

// anchors returns lines that occur exactly once in each side of the region,
// the longest run of them in the same order on both sides (patience diff).
// Counting uses per-id scratch slices, reset afterwards, so a call costs
// O(region) and allocates only its result.
func (al *aligner) anchors(a0, a1, b0, b1 int) []anchor {
	al.scratch()
	for i := a0; i < a1; i++ {
		id := al.ida[i]
		al.countA[id]++
		al.where[id] = int32(i)
	}
	for j := b0; j < b1; j++ {
		al.countB[al.idb[j]]++
	}
	var pairs []anchor
	for j := b0; j < b1; j++ {
		id := al.idb[j]
		if al.countA[id] == 1 && al.countB[id] == 1 {
			pairs = append(pairs, anchor{int(al.where[id]), j})
		}
	}
	for i := a0; i < a1; i++ {
		al.countA[al.ida[i]] = 0
	}
	for j := b0; j < b1; j++ {
		al.countB[al.idb[j]] = 0
	}
	byI := func(x, y anchor) int { return x.i - y.i } // i values are distinct
	if !slices.IsSortedFunc(pairs, byI) {             // unique lines rarely move
		slices.SortFunc(pairs, byI)
	}
	return longestIncreasing(pairs)
}

// scratch allocates the per-id scratch slices on first use.
func (al *aligner) scratch() {
	if al.countA == nil {
		al.countA, al.countB, al.where = make([]int32, al.ids), make([]int32, al.ids), make([]int32, al.ids)
	}
}

// forced emits the alignment of a region and reports true when only one
// alignment is optimal and it is plain to see: every line the two sides
// share occurs once on each side, in the same order (or none is shared).
// Every minimal edit script then keeps exactly those lines, so go-diff's
// (Myers is exact without a time limit) does too, and its cleanup merge
// writes each gap between them as one delete then one insert, as here:
// it cannot shift an edit past a kept line, which would need that line
// twice on one side. It emits nothing and reports false otherwise.
func (al *aligner) forced(a0, a1, b0, b1 int) bool {
	al.scratch()
	for i := a0; i < a1; i++ {
		al.countA[al.ida[i]]++
		al.where[al.ida[i]] = int32(i)
	}
	for j := b0; j < b1; j++ {
		al.countB[al.idb[j]]++
	}
	ok, last := true, a0-1 // the kept lines, in b's order, must rise in a
	for j := b0; j < b1 && ok; j++ {
		id := al.idb[j]
		switch ca, cb := al.countA[id], al.countB[id]; {
		case ca == 0:
		case ca != 1 || cb != 1 || int(al.where[id]) < last:
			ok = false
		default:
			last = int(al.where[id])
		}
	}
	if ok {
		i, jj := a0, b0
		for j := b0; j < b1; j++ {
			if id := al.idb[j]; al.countA[id] == 1 {
				k := int(al.where[id])
				al.emit(opDelete, k-i)
				al.emit(opInsert, j-jj)
				al.emit(opEqual, 1)
				i, jj = k+1, j+1
			}
		}
		al.emit(opDelete, a1-i)
		al.emit(opInsert, b1-jj)
	}
	for i := a0; i < a1; i++ {
		al.countA[al.ida[i]] = 0
	}
	for j := b0; j < b1; j++ {
		al.countB[al.idb[j]] = 0
	}
	return ok
}

// longestIncreasing returns the longest subsequence of pairs (sorted by i)
// whose j also increases, by patience sorting.
func longestIncreasing(pairs []anchor) []anchor {
	if len(pairs) == 0 {
		return nil
	}
	if slices.IsSortedFunc(pairs, func(x, y anchor) int { return x.j - y.j }) {
		return pairs // all in order already: patience sorting keeps them all
	}
	tops := []int{} // index into pairs of each pile's top
	prev := make([]int, len(pairs))
	for k, p := range pairs {
		pile := sort.Search(len(tops), func(t int) bool { return pairs[tops[t]].j > p.j })
		prev[k] = -1
		if pile > 0 {
			prev[k] = tops[pile-1]
		}
		if pile == len(tops) {
			tops = append(tops, k)
		} else {
			tops[pile] = k
		}
	}
	out := make([]anchor, len(tops))
	for k, x := len(tops)-1, tops[len(tops)-1]; k >= 0; k, x = k-1, prev[x] {
		out[k] = pairs[x]
	}
	return out
}

// goDiff aligns a small region with go-diff's line mode. Lines are
// already interned, so instead of DiffLinesToChars (a fresh map per call,
// which dominated on configs with thousands of small edits) each distinct
// line of the region becomes one small rune, numbered from 1 so it is
// always valid Unicode; DiffMainRunes then diffs those exactly as
// DiffMain diffs DiffLinesToChars' output, and each rune of a result is
// one line.
func (al *aligner) goDiff(a0, a1, b0, b1 int) {
	// The rune of each id is kept in a scratch slice (zeroed again
	// below) rather than a map per call: there is a call per edited site
	// of a big config.
	if al.runes == nil {
		al.runes = make([]rune, al.ids)
	}
	next := rune(0)
	encode := func(ids []int32) []rune {
		out := make([]rune, len(ids))
		for k, id := range ids {
			if al.runes[id] == 0 {
				next++
				al.runes[id] = next
			}
			out[k] = al.runes[id]
		}
		return out
	}
	ra, rb := encode(al.ida[a0:a1]), encode(al.idb[b0:b1])
	for _, id := range al.ida[a0:a1] {
		al.runes[id] = 0
	}
	for _, id := range al.idb[b0:b1] {
		al.runes[id] = 0
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // deterministic: the region is small enough to finish
	diffs := dmp.DiffMainRunes(ra, rb, false)
	for _, d := range diffs {
		n := utf8.RuneCountInString(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			al.emit(opEqual, n)
		case diffmatchpatch.DiffDelete:
			al.emit(opDelete, n)
		case diffmatchpatch.DiffInsert:
			al.emit(opInsert, n)
		}
	}
}
