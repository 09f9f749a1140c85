package main

import (
	"bufio"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wsgifix/wsgifix/fixes"
)

// The report of a big run holds a hundred thousand findings and a diff of
// tens of megabytes; encoding/json spends most of a second on them through
// reflection. These write the same bytes directly (FuzzJSONString and
// TestJSONReportAsEncodingJSON compare them with encoding/json).

// appendJSONStringBody appends s escaped as encoding/json escapes a string
// (HTML-safe: <, > and & as \u003c…; invalid UTF-8 as \ufffd; U+2028 and
// U+2029 escaped), without the quotes.
func appendJSONStringBody(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(b, s[start:]...)
}

func appendJSONString(b []byte, s string) []byte {
	return append(appendJSONStringBody(append(b, '"'), s), '"')
}

// writeJSONString writes s as a JSON string in pieces cut after a
// newline, so that a diff of tens of megabytes is never copied whole (a
// cut there cannot split a UTF-8 sequence).
func writeJSONString(w *bufio.Writer, s string, buf []byte) ([]byte, error) {
	w.WriteByte('"')
	for s != "" {
		n := min(len(s), 32<<10)
		if n < len(s) {
			if nl := strings.IndexByte(s[n:], '\n'); nl >= 0 {
				n += nl + 1
			} else {
				n = len(s)
			}
		}
		buf = appendJSONStringBody(buf[:0], s[:n])
		if _, err := w.Write(buf); err != nil {
			return buf, err
		}
		s = s[n:]
	}
	return buf, w.WriteByte('"')
}

// appendFinding appends fd as json.MarshalIndent(fd, prefix, "  ") does.
func appendFinding(b []byte, fd fixes.Finding, prefix string) []byte {
	field := func(name string) {
		b = append(append(append(append(b, '\n'), prefix...), `  "`...), name...)
		b = append(b, `": `...)
	}
	b = append(b, '{')
	field("file")
	b = appendJSONString(b, fd.File)
	b = append(b, ',')
	field("line")
	b = strconv.AppendInt(b, int64(fd.Line), 10)
	b = append(b, ',')
	field("col")
	b = strconv.AppendInt(b, int64(fd.Col), 10)
	b = append(b, ',')
	field("pass")
	b = appendJSONString(b, fd.Pass)
	b = append(b, ',')
	field("severity")
	b = appendJSONString(b, fd.Severity.String())
	b = append(b, ',')
	field("message")
	b = appendJSONString(b, fd.Message)
	b = append(b, ',')
	field("fixed")
	b = strconv.AppendBool(b, fd.Fixed)
	return append(append(append(b, '\n'), prefix...), '}')
}
