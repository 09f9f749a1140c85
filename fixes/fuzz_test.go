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
//   - no pass panics;
//   - the output parses and prints back byte for byte;
//   - a finding says "fixed" only if a file really changed, and the other
//     way round;
//   - structure: when section-tags left no finding unfixed, the output has
//     no structural problem httpd would refuse (CheckStructure finds none,
//     except an argument-less "<RequireAll" style tag that httpd takes as
//     it is). When it did leave one unfixed (a tag hidden by U+00A0, an
//     argument-less "<Location"), the structure is the operator's to fix,
//     so nothing is claimed;
//   - a second run changes nothing, except where the first run said the
//     structure was left for typeset-chars and asked for another run (a
//     tag hidden by U+00A0): then the third run changes nothing.
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
		fixed, leftStructure, askedAgain := false, false, false
		for _, fd := range found {
			fixed = fixed || fd.Fixed
			if fd.Pass == SectionTags.Name && !fd.Fixed {
				leftStructure = true
				askedAgain = askedAgain || strings.Contains(fd.Message, "run wsgifix again")
			}
		}
		if fixed != changed {
			t.Errorf("a finding says fixed=%v but the files changed=%v\n%s", fixed, changed, findingLines(found))
		}

		again := parseAll(t, names, out)
		if !leftStructure {
			for i, file := range again {
				for _, p := range ast.CheckStructure(file) {
					if p.Kind == ast.MissingOpenBracket && !sectionTakesArgs(p.Section.Name()) {
						continue
					}
					t.Errorf("%s: structural problem left in the output: %d:%d: %s\n%s",
						names[i], p.Pos.Line, p.Pos.Col, p.Msg, findingLines(found))
				}
			}
		}

		Run(again, opts, passes)
		second := printAll(names, again)
		if askedAgain {
			third := parseAll(t, names, second)
			Run(third, opts, passes)
			out, second = second, printAll(names, third)
		}
		for _, n := range names {
			if d := difftest.Diff(string(out[n]), string(second[n])); d != "" {
				t.Errorf("a further run changed %s:\n%s", n, d)
			}
		}
	})
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

func findingLines(found []Finding) string {
	return formatFindings(found)
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
