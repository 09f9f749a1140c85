package fixes

import (
	"encoding/binary"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/wsgifix/wsgifix/ast"
)

// TypesetChars is the typeset-chars pass.
var TypesetChars = &Pass{
	Name:    "typeset-chars",
	Title:   "replace typeset look-alike characters with the ASCII httpd expects",
	Default: true,
	Run:     runTypesetChars,
	Doc: `Configurations copied from typeset books, PDFs and blog pages carry
characters that look right and mean nothing to httpd (FACTS.md, "The broken
configurations"): the web2py book's regexes start with U+02C6 "ˆ" (modifier
letter circumflex) instead of "^", so the pattern never matches and the
<LocationMatch> rules (SSLRequireSSL for appadmin among them) silently never
apply. Curly quotes are not quotes to httpd (ap_getword_conf in server/util.c
knows only the ASCII double and single quote), so they become part of the
value; U+00A0 no-break spaces are not white space to it either, so they glue
words together ("Invalid command").

In directive names, arguments and section tags, never in comments:

  ˆ (U+02C6)                    -> ^
  “ ” „ ‟ (U+201C..U+201F)      -> "
  ‘ ’ ‚ ‛ (U+2018..U+201B)      -> '
  no-break space (U+00A0)       -> space

A curly quote inside a straight-quoted string is text and stays. Curly quotes
are not replaced where straight ones would leave a quote unclosed (httpd
would then read the rest of the line as one argument), or where the line
also has curly quotes inside straight-quoted strings; those are reported.
In a section tag or a directive name the finding is an error (the section
never applies, or httpd refuses the line); elsewhere a warning. No policy
flags.

Before:

  <LocationMatch “ˆ(/[\w_]*/appadmin/.*)”>
      SSLRequireSSL
  </LocationMatch>

After:

  <LocationMatch "^(/[\w_]*/appadmin/.*)">
      SSLRequireSSL
  </LocationMatch>
`,
}

// typesetChar is one look-alike character and what it stands for.
type typesetChar struct {
	from, to string
	code     string // U+XXXX, for findings
	quote    bool   // a curly quote: replaced only where that is safe
}

var typesetChars = []typesetChar{
	{"\u02c6", "^", "U+02C6", false},
	{"\u00a0", " ", "U+00A0", false},
	{"\u201c", `"`, "U+201C", true},
	{"\u201d", `"`, "U+201D", true},
	{"\u201e", `"`, "U+201E", true},
	{"\u201f", `"`, "U+201F", true},
	{"\u2018", "'", "U+2018", true},
	{"\u2019", "'", "U+2019", true},
	{"\u201a", "'", "U+201A", true},
	{"\u201b", "'", "U+201B", true},
}

func runTypesetChars(c *Context) {
	if c.inPart {
		return // planParts found none in the whole text, and no pass writes one
	}
	for _, f := range c.Files {
		// Only lines that have one are kept: fixing a line touches no other.
		var lines []*ast.Directive
		keep := func(d *ast.Directive) {
			if d != nil && hasTypesetChar(d.Raw()) {
				lines = append(lines, d)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Directive: // plain directives and stray close tags
				keep(n)
			case *ast.Section:
				keep(n.Open)
				keep(n.Close)
			}
			return true
		})
		for _, d := range lines {
			fixTypesetChars(c, f, d)
		}
	}
}

// hasTypesetChar is the cheap guard: every character handled starts with
// one of these UTF-8 lead bytes.
func hasTypesetChar(raw []byte) bool {
	if !hasNonASCII(raw) {
		return false
	}
	for i := 0; i+1 < len(raw); i++ {
		switch raw[i] {
		case 0xcb, 0xc2, 0xe2:
			for _, t := range typesetChars {
				if strings.HasPrefix(string(raw[i:min(i+3, len(raw))]), t.from) {
					return true
				}
			}
		}
	}
	return false
}

func fixTypesetChars(c *Context, f *ast.File, d *ast.Directive) {
	display := typesetDisplayName(d)
	if lead, rest := leadingNBSP(d.Name()); lead > 0 && startsComment(d, rest) {
		// No-break spaces before '#' make httpd read a comment as an
		// unknown command; only they are replaced, the comment text stays.
		d.SetName(strings.Repeat(" ", lead) + rest)
		c.Report(f, d.Pos(), Error, true,
			"typeset character %q (U+00A0) before a comment: replaced by %q%s", noBreakSpace, " ", typesetTimes(lead))
		return
	}
	sev := Warning
	if d.Kind() != ast.Plain {
		sev = Error // a tag that never matches: the section's rules never apply
	}
	quotesOK, why := curlyQuotesReplaceable(d)
	type hit struct {
		t     typesetChar
		first int // offset of the first occurrence, for source order
	}
	var hits []hit
	raw := string(d.Raw())
	for _, t := range typesetChars {
		if i := strings.Index(raw, t.from); i >= 0 {
			hits = append(hits, hit{t, i})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].first < hits[j].first })
	reported := false
	for _, h := range hits {
		t := h.t
		pos := typesetPos(d, t.from)
		if t.quote && d.Kind() != ast.Plain && strings.Contains(d.Name(), t.from) {
			// A quote in a section's name quotes nothing, and the open and
			// close tags are fixed one at a time: changing one would part
			// them ("<“>" closed by "</\">").
			continue
		}
		if t.quote && !quotesOK {
			if !reported && why != "" {
				c.Report(f, pos, Warning, false, "curly quotes in %q left alone: %s", display, why)
			}
			reported = true
			continue
		}
		s := sev
		if strings.Contains(d.Name(), t.from) {
			s = Error // httpd reads the name as an unknown command
		}
		before, isURL := urlPattern(d)
		n := replaceTypeset(d, t)
		declared := ""
		if after, _ := urlPattern(d); isURL && after != before {
			// The pattern matched other URLs before (the typeset character
			// literally): who gets in changes for both sets, on purpose.
			declared = fmt.Sprintf("; access changes for URLs matching %q (before: %q), as the pattern meant", after, before)
		}
		c.Report(f, pos, s, true, "typeset character %q (%s) in %q: replaced by %q%s%s", t.from, t.code, display, t.to, typesetTimes(n), declared)
	}
}

// replaceTypeset replaces t in d's name and arguments and returns how
// often. A no-break space replaced in the name can make the next token the
// name ("\u00a0 \u00a0<Directory /y>" is a directive named "\u00a0"; with
// it a space, "\u00a0<Directory" is the name), so it goes on until none is
// left: the next run would otherwise find another.
func replaceTypeset(d *ast.Directive, t typesetChar) int {
	n := 0
	for {
		k := d.ReplaceInName(t.from, t.to) + d.ReplaceInArgs(t.from, t.to)
		if k == 0 {
			return n
		}
		n += k
	}
}

func typesetTimes(n int) string {
	if n > 1 {
		return fmt.Sprintf(" (%d times)", n)
	}
	return ""
}

// leadingNBSP counts the no-break spaces that start name and returns what
// follows them.
func leadingNBSP(name string) (int, string) {
	n := 0
	for strings.HasPrefix(name, noBreakSpace) {
		name = name[len(noBreakSpace):]
		n++
	}
	return n, name
}

// startsComment reports whether d, past its leading no-break spaces (rest
// is what follows them in the name), is a comment line.
func startsComment(d *ast.Directive, rest string) bool {
	if rest != "" {
		return strings.HasPrefix(rest, "#")
	}
	args := d.Args()
	return len(args) > 0 && strings.HasPrefix(args[0].Raw, "#")
}

// typesetDisplayName names a line in findings: "ServerName", "<LocationMatch>".
func typesetDisplayName(d *ast.Directive) string {
	name := strings.Fields(strings.ReplaceAll(d.Name(), noBreakSpace, " "))
	for _, a := range d.Args() {
		if len(name) > 0 {
			break
		}
		// A name of no-break spaces only: the line's first word follows.
		name = strings.Fields(strings.ReplaceAll(a.Raw, noBreakSpace, " "))
	}
	n := d.Name()
	if len(name) > 0 {
		n = name[0]
	}
	if strings.HasPrefix(n, "<") { // a tag hidden behind no-break spaces
		return strings.TrimSuffix(n, ">") + ">"
	}
	switch d.Kind() {
	case ast.OpenTag:
		return "<" + strings.TrimSuffix(n, ">") + ">"
	case ast.CloseTag:
		return "</" + n + ">"
	}
	return n
}

// typesetPos is the position of the first argument holding s, else of the
// directive.
func typesetPos(d *ast.Directive, s string) ast.Pos {
	for i, a := range d.Args() {
		if strings.Contains(a.Raw, s) {
			return d.ArgPos(i)
		}
	}
	return d.Pos()
}

// curlyQuotesReplaceable decides whether d's curly quotes can all become
// straight ones. They cannot when some sit inside a straight-quoted
// argument (there they are text, and a straight quote would end the
// string), nor when the result would open a quote it never closes. why is
// "" when there is nothing worth reporting: curly quotes only inside
// straight-quoted strings are left alone silently.
func curlyQuotesReplaceable(d *ast.Directive) (ok bool, why string) {
	inside, outside := false, false
	var after []string
	for _, a := range d.Args() {
		has := hasCurlyQuote(a.Raw)
		if a.Quote != 0 && has {
			inside = true
		} else if has {
			outside = true
		}
		after = append(after, replaceCurlyQuotes(a.Raw))
	}
	if hasCurlyQuote(d.Name()) {
		outside = true
	}
	switch {
	case inside && outside:
		return false, "some are text inside straight-quoted strings"
	case inside:
		return false, ""
	case !outside:
		return true, ""
	}
	// Re-read the arguments as httpd would once the quotes are straight.
	line := "X " + replaceCurlyQuotes(strings.ReplaceAll(d.Name(), "\u00a0", " ")) + " " + strings.Join(after, " ") + "\n"
	if d.Kind() != ast.Plain {
		line = "X " + strings.Join(after, " ") + "\n"
	}
	probe, err := ast.Parse("", []byte(line))
	if err != nil || len(probe.Body()) != 1 {
		return false, "straight quotes would change how the line is read"
	}
	if pd, isDir := probe.Body()[0].(*ast.Directive); isDir {
		for _, a := range pd.Args() {
			if a.Quote != 0 && !typesetQuoteClosed(a.Raw) {
				return false, fmt.Sprintf("a straight quote would open %q and never close it", a.Raw)
			}
		}
	}
	return true, ""
}

func hasCurlyQuote(s string) bool {
	for _, t := range typesetChars {
		if t.quote && strings.Contains(s, t.from) {
			return true
		}
	}
	return false
}

func replaceCurlyQuotes(s string) string {
	for _, t := range typesetChars {
		if t.quote {
			s = strings.ReplaceAll(s, t.from, t.to)
		}
	}
	return s
}

// typesetQuoteClosed reports whether a quoted token as httpd reads it (a backslash
// escapes the quote and itself) ends with its closing quote.
func typesetQuoteClosed(tok string) bool {
	q := tok[0]
	for i := 1; i < len(tok); i++ {
		switch tok[i] {
		case '\\':
			if i+1 < len(tok) && (tok[i+1] == q || tok[i+1] == '\\') {
				i++
			}
		case q:
			return i == len(tok)-1
		}
	}
	return false
}

// hasNonASCII reports whether b has a byte above 0x7f, eight bytes at a
// time: nearly every line of a configuration is plain ASCII.
func hasNonASCII(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return true
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// urlPattern is the URL pattern d matches requests by, as a regex: a
// <Location>/<LocationMatch> tag's, or an alias's URL; ok is false for
// any other directive.
func urlPattern(d *ast.Directive) (string, bool) {
	if d.NumArgs() == 0 {
		return "", false
	}
	arg := d.Arg(0)
	switch {
	case d.Kind() != ast.Plain && d.IsAny("LocationMatch", "Location") && d.NumArgs() == 2 && arg == "~":
		return d.Arg(1), true
	case d.Kind() != ast.Plain && d.Is("LocationMatch"), d.Kind() == ast.Plain && d.IsAny("AliasMatch", "ScriptAliasMatch", "WSGIScriptAliasMatch", "RedirectMatch"):
		return arg, true
	case d.Kind() != ast.Plain && d.Is("Location"), d.Kind() == ast.Plain && d.IsAny("Alias", "ScriptAlias", "WSGIScriptAlias"):
		return "^" + regexp.QuoteMeta(arg), true
	}
	return "", false
}
