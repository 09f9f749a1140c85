package fixes

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unsafe"
)

// sprintf is fmt.Sprintf for what finding messages use: %s and %q of
// strings, %d of ints and %%, without flags or widths. It writes them
// directly, without fmt's reflection: a big run formats a hundred thousand
// messages, and fmt was a sixth of a pass's time. Any other verb, flag or
// count mismatch goes to fmt.Sprintf, so the text is what fmt would write.
//
// The arguments must be strings, bools or numbers (TestReportArgsArePlain
// checks every call in the package): they then do not escape, so a caller's
// arguments are not copied to the heap first (five of a finding's
// allocations in some passes), and the fmt fallback boxes copies of them.
// Anything else is written as "%!v(TYPE)": calling its String or Error
// method would make every argument escape.
func sprintf(format string, args ...any) string {
	size, ok := plainSize(format, args)
	if !ok {
		return fmt.Sprintf(format, copied(args)...)
	}
	return owned(appendFormat(make([]byte, 0, size), format, args))
}

// appendFormat appends sprintf(format, args...) to b, for a format and
// arguments plainSize accepts.
func appendFormat(b []byte, format string, args []any) []byte {
	next := 0
	for i := 0; i < len(format); i++ {
		// The text up to the next verb in one piece.
		j := strings.IndexByte(format[i:], '%')
		if j < 0 {
			b = append(b, format[i:]...)
			break
		}
		b = append(b, format[i:i+j]...)
		i += j + 1
		switch format[i] {
		case '%':
			b = append(b, '%')
		case 's':
			b = append(b, args[next].(string)...)
			next++
		case 'q':
			b = appendQuote(b, args[next].(string))
			next++
		case 'd':
			b = strconv.AppendInt(b, int64(args[next].(int)), 10)
			next++
		}
	}
	return b
}

// A textArena holds the messages of one part's findings (see RunParts):
// a run that hands each part's findings out and forgets them reuses the
// arena for the next part, instead of allocating 120,000 messages, 26 MB
// of fresh memory for the 10k-pair config. The messages are views of its
// chunks, valid until reset.
type textArena struct {
	chunks [][]byte // each filled to its length
	cur    int      // the chunk being filled
}

const arenaChunk = 64 << 10

// sprintf is sprintf writing into the arena.
func (a *textArena) sprintf(format string, args []any) string {
	size, ok := plainSize(format, args)
	if !ok {
		return fmt.Sprintf(format, copied(args)...)
	}
	room := a.room(size)
	b := appendFormat(room, format, args)
	if cap(b) != cap(room) { // longer than plainSize said: grown elsewhere
		return owned(b)
	}
	c := &a.chunks[a.cur]
	*c = (*c)[:len(*c)+len(b)]
	return owned(b)
}

// room returns an empty slice with room for size bytes at the end of the
// chunk being filled, moving on to the next (or a new one) if it has not.
func (a *textArena) room(size int) []byte {
	for ; a.cur < len(a.chunks); a.cur++ {
		if c := a.chunks[a.cur]; cap(c)-len(c) >= size {
			return c[len(c):len(c):cap(c)]
		}
	}
	a.chunks = append(a.chunks, make([]byte, 0, max(arenaChunk, size)))
	return a.chunks[a.cur][:0]
}

// reset empties the arena for reuse: no message made before may be read
// afterwards.
func (a *textArena) reset() {
	for i := range a.chunks {
		a.chunks[i] = a.chunks[i][:0]
	}
	a.cur = 0
}

// owned is b as a string, without a copy: b must be the caller's own, and
// never written again.
func owned(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// copied returns args boxed anew: handing args themselves to fmt would
// make every caller's arguments escape.
func copied(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch a := a.(type) {
		case nil:
		case string:
			out[i] = string(append([]byte(nil), a...))
		case bool:
			out[i] = a
		case int:
			out[i] = a
		case int8:
			out[i] = a
		case int16:
			out[i] = a
		case int32:
			out[i] = a
		case int64:
			out[i] = a
		case uint:
			out[i] = a
		case uint8:
			out[i] = a
		case uint16:
			out[i] = a
		case uint32:
			out[i] = a
		case uint64:
			out[i] = a
		case float32:
			out[i] = a
		case float64:
			out[i] = a
		default:
			out[i] = unsupported{reflect.TypeOf(a).String()}
		}
	}
	return out
}

// unsupported stands for an argument sprintf does not take.
type unsupported struct{ typ string }

func (u unsupported) String() string { return "%!v(" + u.typ + ")" }

// plainSize checks that sprintf can format this itself and returns about
// how long the result is.
func plainSize(format string, args []any) (int, bool) {
	size, next := len(format), 0
	for i := 0; ; i++ {
		j := strings.IndexByte(format[i:], '%') // messages are mostly text
		if j < 0 {
			break
		}
		i += j + 1
		if i == len(format) {
			return 0, false
		}
		verb := format[i]
		if verb == '%' {
			continue
		}
		if next == len(args) {
			return 0, false
		}
		switch a := args[next].(type) {
		case string:
			if verb != 's' && verb != 'q' {
				return 0, false
			}
			size += len(a) + 2
		case int:
			if verb != 'd' {
				return 0, false
			}
			size += 20
		default:
			return 0, false
		}
		next++
	}
	return size, next == len(args)
}

// appendQuote is strconv.AppendQuote with a fast path for printable ASCII
// without quotes or backslashes, which it writes as it is.
func appendQuote(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return strconv.AppendQuote(b, s)
		}
	}
	return append(append(append(b, '"'), s...), '"')
}
