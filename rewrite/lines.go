package rewrite

import (
	"bytes"
	"hash/maphash"
	"sync"
	"unsafe"
)

// splitLines cuts b into lines that keep their endings ("\n" or "\r\n");
// the last line may have none. The lines are views of b, not copies (a
// 13.6 MB config would otherwise be copied twice per diff): b must not be
// modified while they are in use.
func splitLines(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	return splitLinesTo(make([]string, 0, bytes.Count(b, []byte{'\n'})+1), b)
}

// splitLinesTo is splitLines appending to out.
func splitLinesTo(out []string, b []byte) []string {
	s := unsafe.String(unsafe.SliceData(b), len(b))
	for s != "" {
		i := indexNewline(s)
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

func indexNewline(s string) int {
	return bytes.IndexByte(unsafe.Slice(unsafe.StringData(s), len(s)), '\n')
}

// lineIDs gives equal lines equal ids: an open-addressing table keyed by
// a hash of the text. Each slot packs a hash tag with the id, so a probe
// reads one word and compares text only when the tags agree; per id it
// keeps the index of the first line that has it. A 400k-line diff costs
// about 16 bytes per line, a third of a map[string]int32.
type lineIDs struct {
	lines func(int32) string // the text of line i of the run
	slots []uint64           // tag<<32 | id+1, 0 when empty
	first []int32            // per id: the first line that has it
}

func newLineIDs(n int, lines func(int32) string) *lineIDs {
	t := &lineIDs{}
	t.reset(n, lines)
	return t
}

// reset empties the table for n lines, reusing its arrays when they are
// big enough.
func (t *lineIDs) reset(n int, lines func(int32) string) {
	size := 16
	for size < n {
		size <<= 1
	}
	t.lines = lines
	t.slots = resized(t.slots, size)
	clear(t.slots)
	if cap(t.first) < n/2 {
		t.first = make([]int32, 0, n/2)
	}
	t.first = t.first[:0]
}

// id returns the id of line i, whose text hashes to h, giving it the next
// id when no earlier line had that text.
func (t *lineIDs) id(i int32, h uint64) int32 {
	tag := h >> 32
	mask := uint64(len(t.slots) - 1)
	for k := h & mask; ; k = (k + 1) & mask {
		s := t.slots[k]
		if s == 0 {
			id := int32(len(t.first))
			t.first = append(t.first, i)
			t.slots[k] = tag<<32 | uint64(id+1)
			return id
		}
		if s>>32 == tag {
			if id := int32(uint32(s)) - 1; t.lines(t.first[id]) == t.lines(i) {
				return id
			}
		}
	}
}

// count is the number of distinct lines seen.
func (t *lineIDs) count() int { return len(t.first) }

// hashLines returns the hash of each line, computed on two goroutines for
// big inputs: hashing every byte is most of the cost of numbering lines.
func hashLines(seed maphash.Seed, lines []string) []uint64 {
	out := make([]uint64, len(lines))
	hashLinesTo(out, seed, lines)
	return out
}

// hashLinesTo is hashLines into out, which is as long as lines.
func hashLinesTo(out []uint64, seed maphash.Seed, lines []string) {
	hash := func(from, to int) {
		for i := from; i < to; i++ {
			out[i] = maphash.String(seed, lines[i])
		}
	}
	if len(lines) < 1<<14 {
		hash(0, len(lines))
		return
	}
	half := len(lines) / 2
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); hash(half, len(lines)) }()
	hash(0, half)
	wg.Wait()
}
