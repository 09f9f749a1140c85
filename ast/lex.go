package ast

import "bytes"

// The lexical rules follow httpd's server/util.c: a line ends at LF (a CR
// before it belongs to the ending); a backslash right before the ending joins
// the next physical line (on the file's last line it joins nothing and is
// dropped), and the joined text is what gets classified and tokenised.
// White space is what apr_isspace accepts.

func isSpace(c byte) bool { return spaces[c] }

// spaces is isSpace as a table: one load instead of six compares, on every
// byte of every first word.
var spaces = [256]bool{' ': true, '\t': true, '\n': true, '\r': true, '\v': true, '\f': true}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// indentLen is the length of the leading blanks (space, tab) of raw.
func indentLen(raw []byte) int {
	i := 0
	for i < len(raw) && isBlank(raw[i]) {
		i++
	}
	return i
}

// eolLen is the length of raw's line ending: 2 for CRLF, 1 for LF, 0 at EOF.
func eolLen(raw []byte) int {
	n := len(raw)
	if n == 0 || raw[n-1] != '\n' {
		return 0
	}
	if n >= 2 && raw[n-2] == '\r' {
		return 2
	}
	return 1
}

// contLen reports whether raw[i:] starts a continuation (a backslash followed
// by LF or CRLF) and how many bytes it spans.
func contLen(raw []byte, i int) int {
	if raw[i] != '\\' {
		return 0
	}
	if i+1 < len(raw) && raw[i+1] == '\n' {
		return 2
	}
	if i+2 < len(raw) && raw[i+1] == '\r' && raw[i+2] == '\n' {
		return 3
	}
	return 0
}

func hasContinuation(raw []byte) bool {
	body := raw[:len(raw)-eolLen(raw)]
	return bytes.IndexByte(body, '\n') >= 0
}

// nextLogical returns the end of the logical line that starts at src[start:]:
// physical lines are joined while one ends in a backslash.
func nextLogical(src []byte, start int) (end int, physical int) {
	i := start
	for {
		nl := bytes.IndexByte(src[i:], '\n')
		if nl < 0 {
			return len(src), physical + 1
		}
		physical++
		j := i + nl // index of '\n'
		k := j
		if k > i && src[k-1] == '\r' {
			k--
		}
		if k > i && src[k-1] == '\\' && j+1 < len(src) {
			i = j + 1
			continue
		}
		return j + 1, physical
	}
}

// joined is a logical line with its continuations removed and its line ending
// dropped: the text httpd tokenises. offs maps a joined offset back to raw.
type joined struct {
	text []byte
	// cuts[k] is the joined offset where the k-th removed continuation was,
	// and adds[k] the total raw bytes removed up to and including it.
	cuts, adds []int
	// rawEnds[k] is the raw offset just past the k-th continuation.
	rawEnds []int
}

// logicalBody is raw without its line ending, and without a continuation
// backslash that ends the file: httpd removes it and reads on, finds
// nothing, and takes the line as it is ("A b \" as the last line is
// "A b"). Only the last line of a file can end so: any other is joined.
func logicalBody(raw []byte) []byte {
	n := eolLen(raw)
	body := raw[:len(raw)-n]
	if n > 0 && len(body) > 0 && body[len(body)-1] == '\\' {
		body = body[:len(body)-1]
	}
	return body
}

func join(raw []byte) joined {
	body := logicalBody(raw)
	if bytes.IndexByte(body, '\n') < 0 {
		return joined{text: body}
	}
	var j joined
	j.text = make([]byte, 0, len(body))
	removed := 0
	for i := 0; i < len(body); {
		if n := contLen(body, i); n > 0 {
			removed += n
			j.cuts = append(j.cuts, len(j.text))
			j.adds = append(j.adds, removed)
			i += n
			j.rawEnds = append(j.rawEnds, i)
			continue
		}
		j.text = append(j.text, body[i])
		i++
	}
	return j
}

// rawStart maps the offset of a token's first byte in j.text to raw.
func (j joined) rawStart(off int) int {
	add := 0
	for k, c := range j.cuts {
		if c > off {
			break
		}
		add = j.adds[k]
	}
	return off + add
}

// joinedOff maps a raw offset to j.text; an offset inside a continuation
// maps to where the continuation was cut.
func (j joined) joinedOff(raw int) int {
	off := raw
	for k, e := range j.rawEnds {
		if e > raw {
			if start := e - (j.adds[k] - j.prevAdd(k)); raw > start {
				off = j.cuts[k] // clamp to the cut
			}
			break
		}
		off = raw - j.adds[k]
	}
	if off > len(j.text) {
		off = len(j.text)
	}
	return off
}

func (j joined) prevAdd(k int) int {
	if k == 0 {
		return 0
	}
	return j.adds[k-1]
}

// rawEnd maps a token's end offset (exclusive) in j.text to raw, so that a
// continuation right after the token stays outside it.
func (j joined) rawEnd(off int) int {
	add := 0
	for k, c := range j.cuts {
		if c >= off {
			break
		}
		add = j.adds[k]
	}
	return off + add
}

// token is one word of a line, per ap_getword_conf: a quote at the start of
// a word runs to the matching quote (backslash escapes the quote and itself),
// or to the end of the line when unterminated; otherwise a word runs to white
// space. start and end are offsets into the joined text.
type token struct {
	start, end int
	quote      byte // '"', '\'' or 0
	closed     bool // a quoted token found its closing quote
}

// appendTokens appends the tokens of text from offset from to toks, so
// callers can tokenise into a buffer on their stack.
func appendTokens(toks []token, text []byte, from int) []token {
	for {
		t, ok := nextToken(text, from)
		if !ok {
			return toks
		}
		toks = append(toks, t)
		from = t.end
	}
}

// nextToken returns the first token of text at or after offset i.
func nextToken(text []byte, i int) (token, bool) {
	for i < len(text) && isSpace(text[i]) {
		i++
	}
	if i >= len(text) {
		return token{}, false
	}
	t := token{start: i}
	if q := text[i]; q == '"' || q == '\'' {
		t.quote = q
		i++
		for i < len(text) && text[i] != q {
			if text[i] == '\\' && i+1 < len(text) && (text[i+1] == q || text[i+1] == '\\') {
				i += 2
				continue
			}
			i++
		}
		if i < len(text) {
			i++
			t.closed = true
		}
	} else {
		for i < len(text) && !isSpace(text[i]) {
			i++
		}
	}
	t.end = i
	return t, true
}

// nthToken returns token n (0-based) of text from offset from, as tokenize
// would, without building the list.
func nthToken(text []byte, from, n int) (token, bool) {
	for {
		t, ok := nextToken(text, from)
		if !ok || n == 0 {
			return t, ok
		}
		n, from = n-1, t.end
	}
}

// hasEscape reports whether in holds a backslash that unquote takes out:
// one before a backslash or before the quote.
func hasEscape(in []byte, quote byte) bool {
	for i := bytes.IndexByte(in, '\\'); i >= 0 && i+1 < len(in); {
		if in[i+1] == '\\' || (quote != 0 && in[i+1] == quote) {
			return true
		}
		j := bytes.IndexByte(in[i+1:], '\\')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// unquote returns a token's value the way httpd's substring_conf does.
func unquote(raw []byte, t token) string {
	in := raw[t.start:t.end]
	if t.quote != 0 {
		in = in[1:]
		if t.closed {
			in = in[:len(in)-1]
		}
	}
	if !hasEscape(in, t.quote) { // a regex's \d or \w is no escape
		return view(in)
	}
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); i++ {
		if in[i] == '\\' && i+1 < len(in) && (in[i+1] == '\\' || (t.quote != 0 && in[i+1] == t.quote)) {
			i++
		}
		out = append(out, in[i])
	}
	return view(out)
}
