package fixes

import (
	"bytes"
	"fmt"

	"github.com/wsgifix/wsgifix/ast"
)

// ContinuationBlanks is the continuation-blanks pass.
var ContinuationBlanks = &Pass{
	Name:    "continuation-blanks",
	Title:   "make a backslash followed by blanks continue the line, as its author meant",
	Default: true,
	Run:     runContinuationBlanks,
	Doc: `httpd joins a line to the next only at a backslash right before the line
ending (server/util.c). A backslash followed by spaces or tabs is no
continuation: the line ends there, the backslash is read as an argument and
the next line as a line of its own. Copies of the web2py book's example
circulate with trailing blanks on every line, and httpd refuses them:
WSGIDaemonProcess takes the backslash for an option ("Invalid option to WSGI
daemon process definition."), and the next line is an unknown command
("Invalid command 'home=/home/web2py/', perhaps misspelled or defined by a
module not included in the server configuration").

For each directive, and each open tag still waiting for its '>', whose line
ends in a backslash followed only by blanks, the blanks are removed so that
the next line continues it, as its author meant. The pass runs first, so
that the others see the joined lines (daemon-sizing reads processes= from
the next line, section-tags the whole tag).

Left alone and reported: a backslash whose next line is blank, a comment, a
section tag, a directive httpd knows (its own, which joining would make
arguments of the line above) or the end of the file, where joining would
change what the lines mean; an open tag whose next line holds no '>'
either. Not touched:
comments (a comment ending in a backslash swallows the next line), a
backslash glued to the text before it ("C:\www\ "), which may be meant as
text, and one after an open tag's '>', which httpd ignores. No policy
flags.

Before ("␠" is a trailing blank):

  WSGIDaemonProcess web2py user=www-data group=www-data \␠␠
  home=/home/web2py/ \␠␠
  processes=10 maximum-requests=500

After:

  WSGIDaemonProcess web2py user=www-data group=www-data \
  home=/home/web2py/ \
  processes=10 maximum-requests=500
`,
}

const invalidCommand = "Invalid command '%s', perhaps misspelled or defined by a module not included in the server configuration"

func runContinuationBlanks(c *Context) {
	if c.inPart {
		return // planParts found no such backslash in the whole text
	}
	for _, f := range c.Files {
		// Only the lines that end so are kept: the guard reads the last
		// bytes of each line and allocates nothing.
		var lines []*ast.Directive
		ast.Inspect(f, func(n ast.Node) bool {
			var d *ast.Directive
			switch n := n.(type) {
			case *ast.Directive:
				d = n
			case *ast.Section:
				d = n.Open
			}
			if d != nil && d.Kind() != ast.CloseTag && endsInBlankedBackslash(d.Raw()) {
				lines = append(lines, d)
			}
			return true
		})
		for _, d := range lines {
			if d.Parent() != nil { // not joined to a line above it already
				joinBlankedLines(c, f, d)
			}
		}
	}
}

// endsInBlankedBackslash is the cheap guard: raw's last physical line
// ends in a backslash and blanks (ast.Directive.BlankedBackslash).
func endsInBlankedBackslash(raw []byte) bool {
	i := len(raw)
	if i > 0 && raw[i-1] == '\n' {
		i--
		if i > 0 && raw[i-1] == '\r' {
			i--
		}
	}
	blanks := i
	for i > 0 && (raw[i-1] == ' ' || raw[i-1] == '\t') {
		i--
	}
	return i < blanks && i > 0 && raw[i-1] == '\\'
}

// hasBlankedBackslash reports whether src has a backslash followed by
// blanks and a line ending anywhere (comments included), for planParts.
func hasBlankedBackslash(src []byte) bool {
	for i := bytes.IndexByte(src, '\\'); i >= 0; {
		j := i + 1
		for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
			j++
		}
		if j > i+1 && (j == len(src) || src[j] == '\n' || (src[j] == '\r' && j+1 < len(src) && src[j+1] == '\n')) {
			return true
		}
		k := bytes.IndexByte(src[j:], '\\')
		if k < 0 {
			return false
		}
		i = j + k
	}
	return false
}

// joinBlankedLines joins d to the lines below it while its line ends in a
// backslash and blanks and that is safe, one finding per backslash.
func joinBlankedLines(c *Context, f *ast.File, d *ast.Directive) {
	for {
		pos, glued, ok := d.BlankedBackslash()
		if !ok || glued || (d.Kind() == ast.OpenTag && !d.MissingBracket()) {
			return // text, or after the '>' that ends the tag's arguments
		}
		own := backslashError(d)
		next := ast.NextLine(d)
		nd, plain := next.(*ast.Directive)
		plain = plain && nd.Kind() == ast.Plain
		if plain && d.Kind() == ast.OpenTag && bytes.IndexByte(nd.Raw(), '>') < 0 {
			c.Report(f, pos, Error, false,
				`"\" followed by blanks does not continue the tag, and the next line holds no '>' either: left alone, as joining it would take the line into the tag (httpd: %q)`, own)
			return
		}
		if plain && isKnownDirective(nd.Name()) && !loneBackslash(d) {
			sev, why := Warning, `httpd reads the "\" as an argument`
			if own != "" {
				sev, why = Error, fmt.Sprintf("httpd: %q", own)
			}
			c.Report(f, pos, sev, false,
				`"\" followed by blanks does not continue the line, and the next line is the directive %q: left alone, as joining would make it arguments of this line (%s)`, nd.Name(), why)
			return
		}
		if plain {
			name := nd.Name()
			if !d.JoinNext() {
				c.Report(f, pos, Error, false,
					`"\" followed by blanks does not continue the tag: left alone, as joined the tag would close a section rather than open one (httpd: %q)`, own)
				return
			}
			if own != "" {
				c.Report(f, pos, Error, true,
					`"\" followed by blanks does not continue the line (httpd: %q): blanks removed so the next line continues it`, own)
			} else {
				c.Report(f, pos, Error, true,
					`"\" followed by blanks does not continue the line, so the next line is read as a directive of its own (httpd: %q): blanks removed so the next line continues it`,
					fmt.Sprintf(invalidCommand, name))
			}
			continue
		}
		what := "the next line is a section tag"
		switch next.(type) {
		case nil:
			what = "the file ends there"
		case *ast.Blank:
			what = "the next line is blank"
		case *ast.Comment:
			what = "the next line is a comment"
		}
		if own != "" {
			c.Report(f, pos, Error, false,
				`"\" followed by blanks does not continue the line, and %s: left alone, as joining would change what the line means (httpd: %q)`, what, own)
		} else {
			c.Report(f, pos, Warning, false,
				`"\" followed by blanks does not continue the line, and %s: left alone, as joining would change what the line means (httpd reads the "\" as an argument)`, what)
		}
		return
	}
}

// backslashError is the error httpd gives for the backslash itself when it
// is known: WSGIDaemonProcess takes it for an option, and an open tag's
// arguments lack the '>'. It is "" otherwise.
func backslashError(d *ast.Directive) string {
	switch {
	case d.Kind() == ast.OpenTag && ast.IsKnownSection(d.Name()):
		return fmt.Sprintf("<%s> directive missing closing '>'", ast.CanonicalSection(d.Name()))
	case d.Kind() == ast.OpenTag:
		return fmt.Sprintf(invalidCommand, "<"+d.Name())
	case d.Is("WSGIDaemonProcess") && d.NumArgs() >= 2: // not the group's name
		return "Invalid option to WSGI daemon process definition."
	case loneBackslash(d):
		return fmt.Sprintf(invalidCommand, d.Name())
	}
	return ""
}

// loneBackslash reports whether the backslash is all there is of d's
// line: joined, the next line is the directive it was, whatever it is.
func loneBackslash(d *ast.Directive) bool {
	return d.Kind() == ast.Plain && d.Name() == `\` && d.NumArgs() == 0
}
