package ast

// arena hands out slices of T from shared chunks: section bodies (a big
// config has hundreds of thousands) and the text of long new lines. Each
// slice is capped at its length plus the room asked for, which only it
// may use, so appending to one never writes into a neighbour's. Chunks
// start at size (or 16) and double up to the largest chunk the caller
// gives; a NodePool hands them out again after reset, as slab does.
type arena[T any] struct {
	buf    []T
	size   int   // the next chunk's size
	chunks [][]T // as slab's
	used   int
}

// make returns n zero values of T with room for more after them; the
// chunks are at most largest long, and a slice of more than a quarter of
// that gets memory of its own.
func (a *arena[T]) make(n, room, largest int) []T {
	size := n + room
	if size > largest/4 {
		return make([]T, n, size)
	}
	for cap(a.buf)-len(a.buf) < size {
		if a.used < len(a.chunks) {
			a.buf = a.chunks[a.used][:0]
		} else {
			a.size = min(max(a.size, size, 16), largest)
			a.buf = make([]T, 0, a.size)
			a.size *= 2
			a.chunks = append(a.chunks, a.buf)
		}
		a.used++
	}
	i := len(a.buf)
	a.buf = a.buf[:i+size]
	return a.buf[i : i+n : i+size]
}

// reset zeroes the chunks handed out, to hand them out again.
func (a *arena[T]) reset() {
	for _, c := range a.chunks[:a.used] {
		clear(c[:cap(c)])
	}
	a.buf, a.used = nil, 0
}
