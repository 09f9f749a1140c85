package fixes

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/internal/difftest"
)

// FuzzPipeline runs every pass (opt-in ones too, under policies chosen by
// the flags byte) over two files that form one server, and checks what
// must hold for any input without NUL bytes:
//
//   - no pass panics; the output parses and prints back byte for byte;
//   - a finding says "fixed" only if a file really changed, and the other
//     way round;
//   - the run settles: the next run changes nothing. One exception needs a
//     run more: typeset-chars runs after section-tags and can reveal a tag
//     that typeset characters hid (" <Location" behind a U+00A0); when
//     typeset-chars fixed anything, the claims below are made of the second
//     run's output and the third run must change nothing;
//   - structure: the settled output has no structural problem httpd would
//     refuse (CheckStructure finds none, except an argument-less
//     "<RequireAll" style tag that httpd takes as it is).
//
// Structure and settling are claimed only where section-tags left no
// finding unfixed: a tag without its '>' and its arguments ("<Location")
// leaves the structure the operator's to decide, and the file may read
// differently once other tags are repaired. Then only the first three
// properties hold.
func FuzzPipeline(f *testing.F) {
	for _, src := range goldenInputs(f) {
		f.Add(src, []byte(nil), uint8(0))
	}
	f.Fuzz(func(t *testing.T, a, b []byte, flags uint8) {
		if bytes.IndexByte(a, 0) >= 0 || bytes.IndexByte(b, 0) >= 0 {
			return // NUL is a parse error, covered by ast.FuzzParse
		}
		opts, passes := fuzzPolicy(flags)
		names := []string{"a.conf", "b.conf"}
		in := map[string][]byte{"a.conf": a, "b.conf": b}

		files := parseAll(t, names, in)
		found := Run(files, opts, passes)
		out := printAll(names, files)
		changed := !bytes.Equal(out["a.conf"], a) || !bytes.Equal(out["b.conf"], b)
		fixed := false
		for _, fd := range found {
			fixed = fixed || fd.Fixed
		}
		if fixed != changed {
			t.Errorf("a finding says fixed=%v but the files changed=%v\n%s", fixed, changed, formatFindings(found))
		}
		if leftStructure(found) {
			return
		}
		if revealing(found) {
			again := parseAll(t, names, out)
			found = Run(again, opts, passes)
			out = printAll(names, again)
			if leftStructure(found) {
				return
			}
		}

		settled := parseAll(t, names, out)
		for i, file := range settled {
			for _, p := range ast.CheckStructure(file) {
				if p.Kind == ast.MissingOpenBracket && !sectionTakesArgs(p.Section.Name()) {
					continue
				}
				t.Errorf("%s: structural problem left in the output: %d:%d: %s\n%s",
					names[i], p.Pos.Line, p.Pos.Col, p.Msg, formatFindings(found))
			}
		}
		Run(settled, opts, passes)
		next := printAll(names, settled)
		for _, n := range names {
			if d := difftest.Diff(string(out[n]), string(next[n])); d != "" {
				t.Errorf("a further run changed %s:\n%s", n, d)
			}
		}
	})
}

// leftStructure reports a structural finding section-tags could not fix,
// or a line continuation-blanks left alone (a later pass may remove the
// tag that kept it from joining, and the next run then joins it).
func leftStructure(found []Finding) bool {
	for _, fd := range found {
		if (fd.Pass == SectionTags.Name || fd.Pass == ContinuationBlanks.Name) && !fd.Fixed {
			return true
		}
	}
	return false
}

// revealing reports a run after which the structure may read differently:
// typeset-chars replaced characters that may have hidden a tag.
func revealing(found []Finding) bool {
	for _, fd := range found {
		if fd.Pass == TypesetChars.Name && fd.Fixed {
			return true
		}
	}
	return false
}

// fuzzPolicy turns the flags byte into one of the policy combinations the
// command line allows, with every pass on.
func fuzzPolicy(flags uint8) (Options, []*Pass) {
	opts := DefaultOptions()
	if flags&1 != 0 {
		opts.DaemonScope = "global"
	}
	opts.DaemonConflict = []string{"report", "keep-first", "rename", "report"}[flags>>1&3]
	if flags&8 != 0 {
		opts.Apache = "2.2"
	}
	if flags&16 != 0 {
		opts.ServerName = "www.example.org"
	}
	if flags&32 != 0 {
		opts.WSGIScript = "app.wsgi"
	}
	return opts, All
}

func printAll(names []string, files []*ast.File) map[string][]byte {
	out := map[string][]byte{}
	for i, f := range files {
		out[names[i]] = ast.Print(f)
	}
	return out
}

// goldenInputs are the golden cases' inputs and the corpus: seeds that
// already reach deep into every pass.
func goldenInputs(tb testing.TB) [][]byte {
	var out [][]byte
	cases, _ := filepath.Glob("testdata/*/*.txtar")
	for _, c := range cases {
		ar, err := txtar.ParseFile(c)
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range ar.Files {
			if f.Name == "in.conf" || strings.HasPrefix(f.Name, "in/") {
				out = append(out, f.Data)
			}
		}
	}
	corpus, _ := filepath.Glob("../testdata/examples/*.conf")
	for _, c := range corpus {
		b, err := os.ReadFile(c)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}
