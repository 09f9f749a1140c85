package fixes

import (
	"cmp"
	"fmt"
	"sort"
	"strings"

	"github.com/wsgifix/wsgifix/ast"
)

// SectionTags is the section-tags pass.
var SectionTags = &Pass{
	Name:    "section-tags",
	Title:   "repair mismatched, stray, misspelled and missing section tags",
	Default: true,
	Run:     runSectionTags,
	Doc: `httpd matches section tags before it reads a single directive
(ap_build_config in server/config.c), so one bad tag stops the server with
the first structural error and hides everything after it. The parser has
already resolved the structure the way a reader of the file would; this
pass makes the tags say so:

  - a close tag naming another section ends the innermost open one and is
    renamed to it ("Expected </LocationMatch> but saw </Location>");
  - bytes glued after a close tag are dropped ("</Location>>");
  - an argument-less open tag standing where the innermost section of that
    name expects its close becomes the close tag ("<locationmatch>");
  - a section name that is not one httpd knows, but within two typing
    mistakes of exactly one that it does, is corrected on both tags
    ("Invalid command '<virualhost', perhaps misspelled ..."), first of
    all: tags pair up by name, so "<Directroy /srv>" ... "<Directory>" is
    read, once corrected, as a section and the close tag meant for it;
  - a close tag with no open section is removed ("</Location> without
    matching <Location> section");
  - a section still open where its body ends is closed where its
    indentation block ends: before the first line (blank lines and comments
    aside) indented no deeper than its open tag, or at the end of its body
    when the file is not indented ("<VirtualHost> was not closed.");
  - a tag missing its closing '>' gets it.

An open tag without the arguments its section needs ("<Directory>") that
is no close tag in disguise is reported and left alone: only the operator
knows them.

Every finding quotes the error httpd would have printed for the original
(checked against httpd 2.4 "apache2 -t"). When U+00A0 no-break spaces hide
a tag from httpd (and from the parser), the structure cannot be trusted yet:
the pass reports that and leaves the file to typeset-chars, which runs next;
run wsgifix again afterwards. No policy flags.

Before:

  <virualhost *:80>
    <LocationMatch "^/static/">
      Require all granted
    </Location>>
  </virtualhost>

After:

  <VirtualHost *:80>
    <LocationMatch "^/static/">
      Require all granted
    </LocationMatch>
  </VirtualHost>
`,
}

// tagFinding is a finding held back until every repair of a file is
// decided, so that findings come out in source order.
type tagFinding struct {
	pos   ast.Pos
	sev   Severity
	fixed bool
	msg   string
}

func runSectionTags(c *Context) {
	for _, f := range c.Files {
		var found []tagFinding
		report := func(pos ast.Pos, sev Severity, fixed bool, format string, args ...any) {
			found = append(found, tagFinding{pos, sev, fixed, c.message(format, args)})
		}
		repairSectionTags(f, report, c.inPart)
		sort.SliceStable(found, func(i, j int) bool {
			a, b := found[i].pos, found[j].pos
			return a.Line < b.Line || (a.Line == b.Line && a.Col < b.Col)
		})
		for _, t := range found {
			c.reportMessage(f, t.pos, t.sev, t.fixed, t.msg)
		}
	}
}

type tagReporter func(pos ast.Pos, sev Severity, fixed bool, format string, args ...any)

// repairSectionTags repairs f's structure. In a part (see Context.inPart)
// no section name is misspelled and no no-break space hides a tag.
func repairSectionTags(f *ast.File, report tagReporter, inPart bool) {
	problems := ast.CheckStructure(f)
	var misspelled []misspelling
	if !inPart {
		misspelled = misspelledSections(f)
	}
	if len(problems) == 0 && len(misspelled) == 0 {
		reportArgless(f, report)
		return
	}
	var hidden *ast.Directive
	if !inPart {
		hidden = hiddenTag(f)
	}
	if hidden != nil {
		httpd := ""
		if _, msg := ast.HttpdStructure(f.Name, ast.Print(f)); msg != "" {
			httpd = fmt.Sprintf(" (httpd: %q)", msg)
		}
		report(hidden.Pos(), Warning, false,
			"no-break space (U+00A0) hides a section tag in %q: structure left alone for typeset-chars (run wsgifix again if a structural error remains)%s",
			sectionTagText(hidden), httpd)
		return
	}
	// Findings name sections as the original spelled them (by where their
	// open tag is: reread makes new nodes).
	written := map[ast.Pos]string{}
	for _, m := range misspelled {
		s, old := m.section, m.section.Name()
		if !s.Open.HasArgs() && sectionTakesArgs(m.canonical) {
			// httpd refuses "<VirtualHost>" without arguments whatever its
			// spelling, and the tag may be a misspelled close tag: renamed,
			// it would read as one and the next run would see another file.
			report(s.Open.Pos(), Error, false,
				"unknown section %q without arguments: left alone, it may be a misspelled close tag (httpd: %q)", "<"+old,
				fmt.Sprintf("Invalid command '<%s', perhaps misspelled or defined by a module not included in the server configuration", old))
			continue
		}
		written[s.Open.Pos()] = old
		report(s.Open.Pos(), Error, true,
			"unknown section %q: corrected to %q (httpd: %q)",
			"<"+old, "<"+m.canonical,
			fmt.Sprintf("Invalid command '<%s', perhaps misspelled or defined by a module not included in the server configuration", old))
		s.Open.SetName(m.canonical)
		if c := s.Close; c != nil && c.Kind() == ast.CloseTag && c.Name() != m.canonical &&
			(strings.EqualFold(c.Name(), old) || strings.EqualFold(c.Name(), m.canonical)) {
			// Both tags, whichever spelling the close had. Only the name:
			// a glued '>' or a missing one is a problem of its own,
			// repaired and reported below.
			c.SetName(m.canonical)
		}
	}
	if len(written) > 0 {
		problems = reread(f, problems)
	}

	var unclosed []*ast.Section
	for _, p := range problems {
		switch p.Kind {
		case ast.Mismatch:
			s, close := p.Section, p.Tag
			was := sectionTagText(close)
			close.SetCloseTag(s.Name())
			report(p.Pos, Error, true, "close tag %q ends section %q: renamed to %q (httpd: %q)",
				was, "<"+cmp.Or(written[s.Open.Pos()], s.Name())+">", sectionTagText(close), p.Msg)
		case ast.ExtraBracket:
			s, close := p.Section, p.Tag
			was := sectionTagText(close)
			close.SetCloseTag(s.Name())
			report(p.Pos, Error, true, "extra %q after close tag %q: dropped (httpd: %q)",
				strings.TrimPrefix(was, sectionTagText(close)), sectionTagText(close), p.Msg)
		case ast.OpenAsClose:
			s, close := p.Section, p.Tag
			was := sectionTagText(close)
			// httpd opens a new section here and fails further down. Earlier
			// problems are repaired by now, so its first error is that one.
			httpd := "httpd opens a new section"
			if line, msg := ast.HttpdStructure(f.Name, ast.Print(f)); msg != "" && line >= p.Pos.Line {
				httpd = fmt.Sprintf("httpd, line %d: %q", line, msg)
			}
			close.SetCloseTag(s.Name())
			report(p.Pos, Error, true, "open tag %q stands where %q was meant: turned into the close tag (%s)",
				was, sectionTagText(close), httpd)
		case ast.Stray:
			was := sectionTagText(p.Tag)
			ast.Remove(p.Tag)
			// httpd names the tag with whatever is glued to it ("</Location>>").
			name := p.Tag.Name() + p.Tag.Extra()
			report(p.Pos, Error, true, "stray close tag %q: removed (httpd: %q)",
				was, fmt.Sprintf("</%s> without matching <%s> section", name, name))
		case ast.MissingCloseBracket:
			close := p.Tag
			was := sectionTagText(close)
			close.SetCloseTag(p.Section.Name())
			report(p.Pos, Error, true, "close tag %q lacks its '>': added (httpd: %q)", was, p.Msg)
		case ast.MissingOpenBracket:
			s := p.Section
			switch {
			case s.Open.NumArgs() > 0:
				addOpenBracket(s.Open)
				report(p.Pos, Error, true, "open tag %q lacks its '>': added (httpd: %q)", "<"+s.Name(), p.Msg)
			case !sectionTakesArgs(s.Name()):
				// httpd accepts "<RequireAll" as it is.
			default:
				report(p.Pos, Error, false, "open tag %q lacks its '>' and its arguments: left alone (httpd: %q)",
					"<"+s.Name(), fmt.Sprintf("<%s> directive requires additional arguments", ast.CanonicalSection(s.Name())))
			}
		case ast.UnclosedEOF, ast.UnclosedOuter:
			unclosed = append(unclosed, p.Section)
			sev, msg := Error, p.Msg
			if ast.IsConditional(p.Section.Name()) && p.Kind == ast.UnclosedEOF {
				// httpd accepts a true conditional left open at the end.
				sev = Warning
				msg = fmt.Sprintf("Expected </%s> before end of configuration", ast.CanonicalSection(p.Section.Name()))
			}
			report(p.Pos, sev, true, "section %q is not closed: %q added where its block ends (httpd: %q)",
				"<"+p.Section.Name()+">", "</"+p.Section.Name()+">", msg)
		}
	}
	// Innermost first: closing a section hands the lines after its block
	// to its parent, which may itself be unclosed.
	// Depths are taken once: in the comparison they made 10,000 nested
	// unclosed sections cost seconds.
	depth := make(map[*ast.Section]int, len(unclosed))
	for _, s := range unclosed {
		depth[s] = ast.Depth(s)
	}
	sort.SliceStable(unclosed, func(i, j int) bool { return depth[unclosed[i]] > depth[unclosed[j]] })
	for _, s := range unclosed {
		s.CloseBefore(blockEnd(s))
	}
	reportArgless(f, report)
}

// reportArgless reports the open tags left without the arguments their
// section needs ("<Directory>" where no section of that name expects its
// close, so it is no close tag in disguise): httpd refuses them, and only
// the operator knows the arguments. A tag that also lacks its '>', or
// whose name is unknown, has its own finding.
func reportArgless(f *ast.File, report tagReporter) {
	ast.Sections(f, func(s *ast.Section) {
		open := s.Open
		if open.HasArgs() || open.MissingBracket() || !ast.IsKnownSection(s.Name()) || !sectionTakesArgs(s.Name()) {
			return
		}
		report(open.Pos(), Error, false, "open tag %q has no arguments: left alone (httpd: %q)",
			sectionTagText(open), fmt.Sprintf("<%s> directive requires additional arguments", ast.CanonicalSection(s.Name())))
	})
}

// reread parses f again once misspelled section names are corrected: the
// parser pairs tags by name, so a tag meant to close a misspelled section
// ("<Directroy /srv>" … "<Directory>") only closes it once the name is
// right, and repairing the structure read with the wrong name left httpd
// an argument-less section. It returns the problems of the new tree; one
// that was already there keeps the text httpd prints for the original.
func reread(f *ast.File, before []ast.Problem) []ast.Problem {
	if err := f.Reparse(); err != nil {
		return before // the tree is as it was
	}
	type at struct {
		kind ast.ProblemKind
		pos  ast.Pos
	}
	msgs := make(map[at]string, len(before))
	for _, p := range before {
		msgs[at{p.Kind, p.Pos}] = p.Msg
	}
	after := ast.CheckStructure(f)
	for i, p := range after {
		if msg, ok := msgs[at{p.Kind, p.Pos}]; ok {
			after[i].Msg = msg
		}
	}
	return after
}

// sectionTagText is a tag as written, without indentation and line ending.
func sectionTagText(d *ast.Directive) string {
	return strings.Trim(string(d.Raw()), " \t\r\n")
}

// addOpenBracket puts the missing '>' right after the open tag's last
// argument, keeping the line's layout when that token is written once in
// it, after the name. Otherwise (a token that also appears in the name, or
// one written across a continued line: "00\" at the end of a line and "0"
// on the next read as "000") the arguments are written out again.
func addOpenBracket(open *ast.Directive) {
	args := open.Args()
	last := args[len(args)-1].Raw
	if strings.Count(string(open.Raw()), last) == 1 && open.ReplaceInArgs(last, last+">") == 1 {
		return
	}
	raws := make([]string, len(args))
	for i, a := range args {
		raws[i] = a.Raw
	}
	open.SetRawArgs(raws...)
}

// sectionTakesArgs reports whether a section's open tag needs arguments:
// all but <Else> and the Require containers (unknown ones are assumed to).
func sectionTakesArgs(name string) bool {
	switch strings.ToLower(name) {
	case "else", "requireall", "requireany", "requirenone":
		return false
	}
	return true
}

// blockEnd is where an unclosed section ends: before the first body node
// (blank lines and comments aside) indented no deeper than its open tag,
// with the blank lines and shallow comments just above that node left
// outside. When the body starts no deeper than the tag (a flat file), the
// section runs to the end of its body, trailing blank lines left outside.
func blockEnd(s *ast.Section) int {
	open := blockIndentWidth(s.Open.Indent())
	deeper := func(n ast.Node) bool { return blockIndentWidth(ast.Indent(n)) > open }
	first := true
	for k, n := range s.Body {
		switch n.(type) {
		case *ast.Blank, *ast.Comment:
			continue
		}
		if deeper(n) {
			first = false
			continue
		}
		if first {
			break // flat
		}
		i := k
		for i > 0 {
			switch p := s.Body[i-1].(type) {
			case *ast.Blank:
				i--
				continue
			case *ast.Comment:
				if !deeper(p) {
					i--
					continue
				}
			}
			break
		}
		return i
	}
	i := len(s.Body)
	for i > 0 {
		if _, ok := s.Body[i-1].(*ast.Blank); !ok {
			break
		}
		i--
	}
	return i
}

// blockIndentWidth measures indentation in columns, tabs stopping every 8.
func blockIndentWidth(indent string) int {
	w := 0
	for _, r := range indent {
		if r == '\t' {
			w += 8 - w%8
		} else {
			w++
		}
	}
	return w
}

// hiddenTag returns a line that httpd reads as a directive but that is a
// section tag once its no-break spaces are plain spaces, or a tag whose
// name has one glued into it; nil when there is none.
func hiddenTag(f *ast.File) *ast.Directive {
	return firstLine([]*ast.File{f}, func(d *ast.Directive) bool {
		name := d.Name()
		return strings.IndexByte(name, noBreakSpace[0]) >= 0 && strings.Contains(name, noBreakSpace) &&
			(d.Kind() != ast.Plain || strings.HasPrefix(strings.TrimLeft(name, noBreakSpace+" "), "<"))
	})
}

const noBreakSpace = "\u00a0"

type misspelling struct {
	section   *ast.Section
	canonical string
}

// misspelledSections finds sections whose name httpd does not know but
// which is within a small edit distance of exactly one name it does. Short
// names need a closer match, so that a third-party section such as <Jk>
// is never taken for <If>.
func misspelledSections(f *ast.File) []misspelling {
	var out []misspelling
	for _, s := range collectSections([]*ast.File{f}, func(s *ast.Section) bool { return misspelledAs(s.Name()) != "" }) {
		out = append(out, misspelling{s, misspelledAs(s.Name())})
	}
	return out
}

// misspelledAs returns the known section name a name is a misspelling of,
// or "".
func misspelledAs(name string) string {
	if name == "" || ast.IsKnownSection(name) {
		return ""
	}
	match, n := "", 0
	for _, k := range ast.KnownSections {
		d := sectionNameDistance(strings.ToLower(name), strings.ToLower(k))
		if d <= 2 && 2*d < len(k) {
			match, n = k, n+1
		}
	}
	if n != 1 {
		return ""
	}
	return match
}

// sectionNameDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and swaps of adjacent letters each count one.
func sectionNameDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
