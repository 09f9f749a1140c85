package fixes

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/internal/difftest"
)

var update = flag.Bool("update", false, "rewrite golden out files and findings")

// TestGolden runs every case under testdata/<pass>/*.txtar. A case holds
// "in.conf" (or several "in/NAME" files, loaded in name order as one
// server), the expected "out.conf" / "out/NAME" (absent: unchanged) and the
// expected "findings". The archive comment may hold a "flags:" line
// (--only=a,b --enable=x --daemon-scope=global --daemon-conflict=rename
// --server-name=N --wsgi-script=N --apache=2.2); by default only the pass
// the directory is named after runs. Each case also checks that the input
// round-trips, that "fixed" findings match a real change, and that a second
// run changes nothing. A case named "…crlf…" must have only CRLF line
// endings in every input, so it proves the feature its name claims (an
// editor or a git setting could silently turn it into LF).
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		pass := filepath.Base(dir)
		if pass == "fuzz" {
			continue // go test's seed corpora (fuzz_test.go), not goldens
		}
		if _, ok := Lookup(pass); !ok && pass != "corpus" {
			t.Errorf("testdata/%s: no pass of that name", pass)
			continue
		}
		cases, _ := filepath.Glob(filepath.Join(dir, "*.txtar"))
		for _, file := range cases {
			t.Run(pass+"/"+strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
				runGolden(t, pass, file)
			})
		}
	}
}

type goldenCase struct {
	names []string          // input names in load order
	in    map[string][]byte // by name
	out   map[string][]byte // expected, by name
	opts  Options
	only  []string
	skip  []string
	en    []string
}

func runGolden(t *testing.T, pass, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	c := goldenCase{in: map[string][]byte{}, out: map[string][]byte{}, opts: DefaultOptions()}
	if pass != "corpus" {
		c.only = []string{pass}
	}
	var wantFindings string
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		if rest, ok := strings.CutPrefix(line, "flags:"); ok {
			parseFlags(t, &c, strings.Fields(rest))
		}
	}
	for _, f := range ar.Files {
		switch {
		case f.Name == "in.conf":
			c.in[f.Name] = f.Data
			c.names = append(c.names, f.Name)
		case f.Name == "out.conf":
			c.out["in.conf"] = f.Data
		case strings.HasPrefix(f.Name, "in/"):
			n := strings.TrimPrefix(f.Name, "in/")
			c.in[n] = f.Data
			c.names = append(c.names, n)
		case strings.HasPrefix(f.Name, "out/"):
			c.out[strings.TrimPrefix(f.Name, "out/")] = f.Data
		case f.Name == "findings":
			wantFindings = string(f.Data)
		default:
			t.Fatalf("%s: unexpected archive file %q", file, f.Name)
		}
	}
	sort.Strings(c.names)
	if strings.Contains(filepath.Base(file), "crlf") {
		for _, n := range c.names {
			crlf, lf := bytes.Count(c.in[n], []byte("\r\n")), bytes.Count(c.in[n], []byte("\n"))
			if crlf == 0 || crlf != lf {
				t.Errorf("%s: %d of %d line endings are CRLF, want all: the case does not prove its name", n, crlf, lf)
			}
		}
	}
	passes, err := Select(c.only, c.skip, c.en)
	if err != nil {
		t.Fatal(err)
	}
	files := parseAll(t, c.names, c.in)
	findings := Run(files, c.opts, passes)
	got := map[string][]byte{}
	for i, f := range files {
		got[c.names[i]] = ast.Print(f)
	}
	gotFindings := formatFindings(findings)

	if *update {
		writeGolden(t, file, ar, c, got, gotFindings)
		return
	}
	changed := false
	for _, n := range c.names {
		want, ok := c.out[n]
		if !ok {
			want = c.in[n]
		}
		if d := difftest.Diff(string(want), string(got[n])); d != "" {
			t.Errorf("output of %s differs:\n%s", n, d)
		}
		changed = changed || !bytes.Equal(got[n], c.in[n])
	}
	if d := difftest.Diff(wantFindings, gotFindings); d != "" {
		t.Errorf("findings differ:\n%s", d)
	}
	fixed := false
	for _, f := range findings {
		fixed = fixed || f.Fixed
	}
	if fixed != changed {
		t.Errorf("a finding says fixed=%v but the files changed=%v", fixed, changed)
	}
	// A second run over the output changes nothing.
	again := parseAll(t, c.names, got)
	Run(again, c.opts, passes)
	for i, f := range again {
		if d := difftest.Diff(string(got[c.names[i]]), string(ast.Print(f))); d != "" {
			t.Errorf("second run changed %s:\n%s", c.names[i], d)
		}
	}
}

func parseAll(t *testing.T, names []string, src map[string][]byte) []*ast.File {
	t.Helper()
	var files []*ast.File
	for _, n := range names {
		f, err := ast.Parse(n, src[n])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ast.Print(f), src[n]) {
			t.Fatalf("%s does not round-trip", n)
		}
		files = append(files, f)
	}
	return files
}

func parseFlags(t *testing.T, c *goldenCase, args []string) {
	for _, a := range args {
		k, v, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		list := strings.Split(v, ",")
		switch k {
		case "only":
			c.only = list
		case "skip":
			c.skip = list
		case "enable":
			c.en = list
		case "all":
			c.only = nil
		case "daemon-scope":
			c.opts.DaemonScope = v
		case "daemon-conflict":
			c.opts.DaemonConflict = v
		case "server-name":
			c.opts.ServerName = v
		case "wsgi-script":
			c.opts.WSGIScript = v
		case "apache":
			c.opts.Apache = v
		default:
			t.Fatalf("unknown flag %q", a)
		}
	}
	if err := c.opts.Validate(); err != nil {
		t.Fatal(err)
	}
}

// formatFindings renders findings one per line with severity and outcome.
func formatFindings(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		state := "unfixed"
		if f.Fixed {
			state = "fixed"
		}
		fmt.Fprintf(&b, "%s (%s, %s)\n", f, f.Severity, state)
	}
	return b.String()
}

func writeGolden(t *testing.T, file string, ar *txtar.Archive, c goldenCase, got map[string][]byte, findings string) {
	var files []txtar.File
	for _, f := range ar.Files {
		if f.Name == "findings" || f.Name == "out.conf" || strings.HasPrefix(f.Name, "out/") {
			continue
		}
		files = append(files, f)
	}
	for _, n := range c.names {
		if bytes.Equal(got[n], c.in[n]) {
			continue
		}
		name := "out/" + n
		if n == "in.conf" {
			name = "out.conf"
		}
		files = append(files, txtar.File{Name: name, Data: got[n]})
	}
	files = append(files, txtar.File{Name: "findings", Data: []byte(findings)})
	ar.Files = files
	if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
}
