package ast

import (
	"bytes"
	"strings"
	"unsafe"
)

// Kind tells what a Directive line is.
type Kind uint8

const (
	Plain    Kind = iota // Name args...
	OpenTag              // <Name args...>
	CloseTag             // </Name>
)

// Directive is one logical line that is not blank or a comment: a directive,
// or the open or close tag of a section. A close tag that matches no open
// section stays in the body as a Directive of kind CloseTag (a stray tag).
//
// A big configuration has hundreds of thousands of these, so the struct is
// kept small: the name is a view of raw located by two offsets, and the
// arguments are tokenised only when asked for.
type Directive struct {
	line      // with the name's place, the kind and the flags
	args *Arg // the first of nargs arguments, once parsed
}

// Arg is one argument as httpd tokenises it.
type Arg struct {
	Value string // after quote removal and unescaping
	Raw   string // as written, quotes included
	Quote byte   // '"', '\'' or 0
	// start and end locate Raw in the directive's raw bytes.
	start, end int32
}

// Kind reports whether d is a plain directive, an open tag or a close tag.
func (d *Directive) Kind() Kind { return d.kind }

// Name is the directive or section name as written, without '<' or '</'.
func (d *Directive) Name() string { return view(d.raw[d.nameStart:d.nameEnd]) }

// Is reports whether d's name equals name, ignoring case as httpd does.
func (d *Directive) Is(name string) bool {
	return int(d.nameEnd-d.nameStart) == len(name) && (name == "" || d.name0 == lower(name[0])) &&
		EqualFold(d.Name(), name)
}

// MissingBracket reports whether a tag lacks its closing '>'.
func (d *Directive) MissingBracket() bool { return d.flags&missingBracket != 0 }

// Extra is what follows a close tag's '>' inside its first word, as in
// "</Location>>"; "" for other lines.
func (d *Directive) Extra() string {
	if d.kind != CloseTag || d.MissingBracket() {
		return ""
	}
	raw, from := d.raw, int(d.nameEnd)+1
	end, w := len(raw)-eolLen(raw), from
	for w < end && !isSpace(raw[w]) && contLen(raw, w) == 0 {
		w++
	}
	return view(raw[from:w])
}

// IsAny reports whether d's name is one of names, ignoring case.
func (d *Directive) IsAny(names ...string) bool {
	for _, n := range names {
		if d.Is(n) {
			return true
		}
	}
	return false
}

// Args returns the arguments. For an open tag they stop at the last '>'.
func (d *Directive) Args() []Arg {
	if d.flags&parsed == 0 {
		d.setArgs(parseArgs(d.raw, d.kind, int(d.nameEnd)))
	}
	if d.nargs == 0 {
		return nil
	}
	return unsafe.Slice(d.args, d.nargs)
}

// setArgs keeps the parsed argument list (a pointer and a count take 12
// bytes of the Directive instead of a 24-byte slice).
func (d *Directive) setArgs(args []Arg) {
	d.flags |= parsed
	d.args, d.nargs = unsafe.SliceData(args), int32(len(args))
}

// forgetArgs drops the parsed list, after raw changed.
func (d *Directive) forgetArgs() {
	d.flags &^= parsed
	d.args, d.nargs = nil, 0
}

// Values returns the argument values.
func (d *Directive) Values() []string {
	args := d.Args()
	v := make([]string, len(args))
	for i, a := range args {
		v[i] = a.Value
	}
	return v
}

// Arg returns the value of argument i, or "" when there is none.
func (d *Directive) Arg(i int) string {
	if d.readInPlace() && i >= 0 {
		text, from := argText(d.raw, d.kind, int(d.nameEnd))
		if t, ok := nthToken(text, from, i); ok {
			return unquote(text, t)
		}
		return ""
	}
	if v, ok := d.firstLineArg(i); ok {
		return v
	}
	if args := d.Args(); i >= 0 && i < len(args) {
		return args[i].Value
	}
	return ""
}

// ArgRaw returns argument i as written (quotes included), or "" when
// there is none.
func (d *Directive) ArgRaw(i int) string {
	if d.readInPlace() && i >= 0 {
		text, from := argText(d.raw, d.kind, int(d.nameEnd))
		if t, ok := nthToken(text, from, i); ok {
			return view(text[t.start:t.end])
		}
		return ""
	}
	if args := d.Args(); i >= 0 && i < len(args) {
		return args[i].Raw
	}
	return ""
}

// NumArgs is len(d.Args()).
func (d *Directive) NumArgs() int {
	if d.readInPlace() {
		text, from := argText(d.raw, d.kind, int(d.nameEnd))
		n := 0
		for {
			t, ok := nthToken(text, from, 0)
			if !ok {
				return n
			}
			n, from = n+1, t.end
		}
	}
	return len(d.Args())
}

// readInPlace reports whether Arg and NumArgs should tokenise the line
// again rather than parse and keep its argument list. Kept lists add up
// to tens of megabytes on a big config, and most directives are asked
// for an argument or two a few times; a long line costs more to tokenise
// each time, and a line with continuations is joined first (an
// allocation), so their lists are kept.
func (d *Directive) readInPlace() bool {
	return d.flags&parsed == 0 && len(d.raw) <= inPlaceMax && !hasContinuation(d.raw)
}

const inPlaceMax = 64

// firstLineArg reads argument i of a continued directive whose list is
// not parsed yet from its first physical line, when the argument ends
// there before white space: the text up to the first continuation is the
// same joined or not, so the token is too. A WSGIDaemonProcess spread over
// lines is then asked for its name without joining and parsing it all.
func (d *Directive) firstLineArg(i int) (string, bool) {
	if d.kind != Plain || d.flags&parsed != 0 || i < 0 {
		return "", false
	}
	body := d.raw[:len(d.raw)-eolLen(d.raw)]
	k := bytes.IndexByte(body, '\n')
	if k < 0 {
		return "", false
	}
	if k > 0 && body[k-1] == '\r' {
		k--
	}
	k-- // the backslash that continues the line
	if k < int(d.nameEnd) || body[k] != '\\' {
		return "", false
	}
	text := body[:k]
	t, ok := nthToken(text, int(d.nameEnd), i)
	if !ok || t.end >= len(text) {
		return "", false
	}
	return unquote(text, t), true
}

// SameArgs reports whether d and o have the same argument text byte for
// byte (then the same arguments), without parsing either.
func (d *Directive) SameArgs(o *Directive) bool {
	a := d.raw[d.nameEnd : len(d.raw)-eolLen(d.raw)]
	b := o.raw[o.nameEnd : len(o.raw)-eolLen(o.raw)]
	return d.kind == o.kind && bytes.Equal(a, b)
}

// ArgPos is the position of argument i (or of the name when i is out of range).
func (d *Directive) ArgPos(i int) Pos {
	off := int(d.nameStart)
	if args := d.Args(); i >= 0 && i < len(args) {
		off = int(args[i].start)
	}
	return d.offPos(off)
}

// offPos maps a byte offset in raw to a position.
func (d *Directive) offPos(off int) Pos {
	pos := d.Pos()
	if !pos.IsValid() {
		return pos
	}
	pre := d.raw[:off]
	nl := bytes.Count(pre, []byte{'\n'})
	if nl == 0 {
		return Pos{Line: pos.Line, Col: pos.Col + off - indentLen(d.raw)}
	}
	return Pos{Line: pos.Line + nl, Col: off - bytes.LastIndexByte(pre, '\n')}
}

// argText is the text the arguments of a one-line directive are read from
// and where they start (parseArgs does the same after joining lines).
func argText(raw []byte, kind Kind, nameEnd int) ([]byte, int) {
	text := logicalBody(raw)
	return cutOpenTag(text, kind, min(nameEnd, len(text)))
}

// cutOpenTag cuts an open tag's arguments at the last '>', as httpd does
// (strrchr); a close tag has none.
func cutOpenTag(text []byte, kind Kind, from int) ([]byte, int) {
	switch kind {
	case OpenTag:
		if gt := bytes.LastIndexByte(text, '>'); gt >= from {
			text = text[:gt]
		}
	case CloseTag:
		return nil, 0
	}
	return text, from
}

func parseArgs(raw []byte, kind Kind, nameEnd int) []Arg {
	j := join(raw)
	text, from := cutOpenTag(j.text, kind, j.joinedOff(nameEnd))
	if kind == CloseTag {
		return nil
	}
	var buf [8]token
	toks := appendTokens(buf[:0], text, from)
	if len(toks) == 0 {
		return nil
	}
	args := make([]Arg, len(toks))
	for i, t := range toks {
		args[i] = Arg{
			Value: unquote(text, t),
			Raw:   view(text[t.start:t.end]),
			Quote: t.quote,
			start: int32(j.rawStart(t.start)),
			end:   int32(j.rawEnd(t.end)),
		}
	}
	return args
}

// newDirective parses a raw logical line that is known to be a directive or tag.
func newDirective(raw []byte, pos Pos) *Directive {
	d := &Directive{line: line{raw: raw}}
	d.setPos(pos)
	d.scan()
	return d
}

// slab hands out nodes from chunks: a big config has hundreds of thousands
// of lines, and one allocation per line dominates parse time.
// Chunks start at the size the input suggests and double up to
// maxSlabChunk, so that a small file (a fix run may read ten thousand)
// does not pay for a big one's chunks.
type slab[T any] struct {
	buf  []T
	size int // the next chunk's size
	// The chunks made, and how many are handed out, for a NodePool to
	// hand them out again after reset.
	chunks [][]T
	used   int
}

const maxSlabChunk = 1024

func (s *slab[T]) next() *T {
	if len(s.buf) == cap(s.buf) {
		if s.used < len(s.chunks) {
			s.buf = s.chunks[s.used][:0]
		} else {
			s.size = min(max(s.size, 4), maxSlabChunk)
			s.buf = make([]T, 0, s.size)
			s.size *= 2
			s.chunks = append(s.chunks, s.buf)
		}
		s.used++
	}
	s.buf = s.buf[:len(s.buf)+1]
	return &s.buf[len(s.buf)-1]
}

// reset zeroes the chunks handed out, to hand them out again.
func (s *slab[T]) reset() {
	for _, c := range s.chunks[:s.used] {
		clear(c[:cap(c)])
	}
	s.buf, s.used = nil, 0
}

// scan sets kind, name and the tag flags from raw.
func (d *Directive) scan() {
	raw := d.raw
	i := indentLen(raw)
	for i < len(raw) && contLen(raw, i) > 0 { // continuation inside the indentation
		i += contLen(raw, i)
		i += indentLen(raw[i:])
	}
	d.kind = Plain
	d.flags &^= missingBracket
	end := len(raw) - eolLen(raw)
	switch {
	case i+1 < end && raw[i] == '<' && raw[i+1] == '/':
		d.kind = CloseTag
		i += 2
	case i < end && raw[i] == '<':
		d.kind = OpenTag
		i++
	}
	// The first word ends at white space (or a continuation).
	w := i
	for w < end && !isSpace(raw[w]) && contLen(raw, w) == 0 {
		w++
	}
	word := raw[i:w]
	nameEnd := w
	if d.kind != Plain {
		if gt := bytes.IndexByte(word, '>'); gt >= 0 {
			nameEnd = i + gt
		} else if d.kind == CloseTag || bytes.IndexByte(raw[w:end], '>') < 0 {
			d.flags |= missingBracket
		}
	} else if i < end && (raw[i] == '"' || raw[i] == '\'') {
		// A quoted directive name is legal for the tokenizer; keep it whole.
		var buf [2]token
		toks := appendTokens(buf[:0], raw[:end], i)
		if len(toks) > 0 {
			nameEnd = toks[0].end
		}
	}
	d.nameStart, d.nameEnd = int32(i), int32(nameEnd)
	d.name0 = 0
	if nameEnd > i {
		d.name0 = lower(raw[i])
	}
	d.forgetArgs()
}

// BlankedBackslash reports whether d's last physical line ends in a
// backslash followed by blanks (spaces, tabs) and then the line ending or
// the end of the file. httpd continues a line only at a backslash right
// before the line ending (server/util.c), so this one is no continuation:
// the line ends there, the backslash is read as (part of) an argument and
// the next physical line is a line of its own. pos is the backslash's
// position; glued says something other than white space stands right
// before it (as in "C:\www\" or "\\"), so that it may be meant as text.
func (d *Directive) BlankedBackslash() (pos Pos, glued, ok bool) {
	at := blankedBackslash(d.raw)
	if at < 0 {
		return Pos{}, false, false
	}
	glued = at > 0 && !isSpace(d.raw[at-1])
	return d.offPos(at), glued, true
}

// blankedBackslash returns the offset of the backslash that ends raw's
// last physical line before one or more blanks, or -1.
func blankedBackslash(raw []byte) int {
	end := len(raw) - eolLen(raw)
	i := end
	for i > 0 && isBlank(raw[i-1]) {
		i--
	}
	if i == end || i == 0 || raw[i-1] != '\\' {
		return -1
	}
	return i - 1
}

// HasArgs reports whether an open tag carries arguments.
func (d *Directive) HasArgs() bool { return d.NumArgs() > 0 }

// --- edits ---------------------------------------------------------------

// setRaw replaces the line's bytes and rescans it. Position stays: an edited
// node still reports where it came from.
func (d *Directive) setRaw(raw []byte) {
	d.line.setRaw(raw)
	d.scan()
	d.touch()
}

func (d *Directive) touch() {
	if s := d.parent; s != nil {
		if f := s.File(); f != nil {
			f.edited()
		}
	}
}

// setIndent re-indents the line; the name and argument offsets move with
// the text (everything after the indentation shifts by the same amount).
func (d *Directive) setIndent(indent string) {
	delta := int32(len(indent) - indentLen(d.raw))
	d.line.setIndent(indent)
	d.shift(delta)
}

// shift moves the name and argument offsets by delta bytes.
func (d *Directive) shift(delta int32) {
	d.nameStart += delta
	d.nameEnd += delta
	if d.nargs > 0 {
		args := unsafe.Slice(d.args, d.nargs)
		for i := range args {
			args[i].start += delta
			args[i].end += delta
		}
	}
}

// SetName renames the directive or tag, keeping everything else.
func (d *Directive) SetName(name string) {
	raw := make([]byte, 0, len(d.raw)+len(name))
	raw = append(raw, d.raw[:d.nameStart]...)
	raw = append(raw, name...)
	raw = append(raw, d.raw[d.nameEnd:]...)
	d.setRaw(raw)
}

// SetCloseTag rewrites d as the close tag "</name>", keeping indentation,
// anything after the tag's first word, and the line ending. It drops extra
// '>' and adds a missing one.
func (d *Directive) SetCloseTag(name string) {
	end := len(d.raw) - eolLen(d.raw)
	w := int(d.nameStart)
	for w < end && !isSpace(d.raw[w]) && contLen(d.raw, w) == 0 {
		w++
	}
	rest := d.raw[w:]
	if d.kind == OpenTag {
		// "<locationmatch>" turned into a close tag: nothing after it counts.
		rest = d.raw[end:]
	}
	raw := make([]byte, 0, len(d.raw)+4)
	raw = append(raw, d.raw[:indentLen(d.raw)]...)
	raw = append(raw, "</"...)
	raw = append(raw, name...)
	raw = append(raw, '>')
	raw = append(raw, rest...)
	d.setRaw(raw)
}

// SetArg replaces argument i's value, keeping its quote style and the rest
// of the line (including continuation layout) as it is.
func (d *Directive) SetArg(i int, value string) {
	a := d.Args()[i]
	tok := Quote(value, a.Quote)
	raw := make([]byte, 0, len(d.raw)+len(tok))
	raw = append(raw, d.raw[:a.start]...)
	raw = append(raw, tok...)
	raw = append(raw, d.raw[a.end:]...)
	d.setRaw(raw)
}

// SetArgs replaces all arguments. The line is rewritten on one physical line
// from the name on; indentation and line ending stay.
func (d *Directive) SetArgs(values ...string) {
	toks := make([]string, len(values))
	for i, v := range values {
		toks[i] = Quote(v, 0)
	}
	d.SetRawArgs(toks...)
}

// SetRawArgs is SetArgs with tokens written exactly as given.
func (d *Directive) SetRawArgs(tokens ...string) {
	var b []byte
	b = append(b, d.raw[:d.nameEnd]...)
	for _, t := range tokens {
		b = append(b, ' ')
		b = append(b, t...)
	}
	if d.kind == OpenTag {
		b = append(b, '>')
	}
	b = append(b, d.raw[len(d.raw)-eolLen(d.raw):]...)
	d.setRaw(b)
}

// ReplaceInArgs replaces every occurrence of old with new in the text after
// the name (arguments, and for tags the closing bracket) and reports how many
// it replaced. The name and indentation are left alone.
func (d *Directive) ReplaceInArgs(old, new string) int {
	tail := d.raw[d.nameEnd:]
	n := bytes.Count(tail, []byte(old))
	if n == 0 {
		return 0
	}
	raw := append(append([]byte{}, d.raw[:d.nameEnd]...), bytes.ReplaceAll(tail, []byte(old), []byte(new))...)
	d.setRaw(raw)
	return n
}

// ReplaceInName is ReplaceInArgs for the name.
func (d *Directive) ReplaceInName(old, new string) int {
	name := d.Name()
	n := strings.Count(name, old)
	if n > 0 {
		d.SetName(strings.ReplaceAll(name, old, new))
	}
	return n
}

// Quote returns value as a token httpd reads back as value. quote asks for
// a quote style ('"' or '\”); 0 quotes only when needed.
func Quote(value string, quote byte) string {
	if quote == 0 && !needsQuote(value) {
		return value
	}
	return view(appendQuoted(make([]byte, 0, quotedLen(value, quote)), value, quote))
}

// needsQuote reports whether value must be quoted to be read back as one
// token: it is empty, or holds white space, a quote or a double backslash.
func needsQuote(value string) bool {
	if value == "" {
		return true
	}
	for i := 0; i < len(value); i++ {
		switch value[i] {
		case ' ', '\t', '\r', '\n', '\v', '\f', '"', '\'':
			return true
		case '\\':
			if i+1 < len(value) && value[i+1] == '\\' {
				return true
			}
		}
	}
	return false
}

// quoteChar is the quote Quote uses for value: quote, else '"' when value
// needs one (or quote is the single quote and value holds one), else 0.
func quoteChar(value string, quote byte) byte {
	if quote == 0 && !needsQuote(value) {
		return 0
	}
	if quote == 0 || (quote == '\'' && strings.IndexByte(value, '\'') >= 0) {
		return '"'
	}
	return quote
}

// escapes reports whether value[i] needs a backslash inside quote q.
func escapes(value string, i int, q byte) bool {
	c := value[i]
	return c == q || (c == '\\' && (i+1 == len(value) || value[i+1] == '\\' || value[i+1] == q))
}

// quotedLen is len(Quote(value, quote)).
func quotedLen(value string, quote byte) int { return quotedLenAs(value, quoteChar(value, quote)) }

// quotedLenAs is quotedLen once quoteChar has chosen q.
func quotedLenAs(value string, q byte) int {
	if q == 0 {
		return len(value)
	}
	n := len(value) + 2
	for i := 0; i < len(value); i++ {
		if escapes(value, i, q) {
			n++
		}
	}
	return n
}

// appendQuoted appends Quote(value, quote) to b, without building the
// string first.
func appendQuoted(b []byte, value string, quote byte) []byte {
	return appendQuotedAs(b, value, quoteChar(value, quote))
}

// appendQuotedAs is appendQuoted once quoteChar has chosen q.
func appendQuotedAs(b []byte, value string, q byte) []byte {
	if q == 0 {
		return append(b, value...)
	}
	b = append(b, q)
	for i := 0; i < len(value); i++ {
		if escapes(value, i, q) {
			b = append(b, '\\')
		}
		b = append(b, value[i])
	}
	return append(b, q)
}
