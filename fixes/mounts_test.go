package fixes

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/wsgifix/wsgifix/ast"
)

func TestRegexSpace(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want string // urlSpace.String(), or "?" when it cannot be told
	}{
		{`^(/[\w_]*/static/.*)`, "/*/static/…"},            // the corpus LocationMatch
		{`^(/[\w_]*/appadmin/.*)`, "/*/appadmin/…"},        // the corpus LocationMatch
		{staticAliasRegex, "/*/static/…"},                  // web2py's AliasMatch
		{`^/([^/]+)/static/(.*)`, "/*/static/…"},           // the older AliasMatch
		{`^/admin/`, "/admin/…"},                           // literal segment
		{`^/admin`, "/…"},                                  // "/adminx" too: widened
		{`^/(?i)admin/`, "/*/…"},                           // case-folded: any segment
		{`^/(admin|appadmin)/`, "/*/…"},                    // alternation: any segment
		{`^/.*`, "/…"},                                     // may cross segments
		{`^/`, "/…"},                                       // everything
		{`.*`, "/…"},                                       // unanchored, matches ""
		{`/`, "/…"},                                        // every path has a '/'
		{`\.css$`, "?"},                                    // unanchored: unknown
		{`ˆ(/[\w_]*/static/.*)`, "?"},                      // typeset caret: unanchored
		{`^(/[\w_]*/static/(?=x))`, "?"},                   // not RE2: unknown
		{`^admin/`, "?"},                                   // paths start with '/'
		{`^/[^/]+/static/_[\d]+.[\d]+/x`, "/*/static/…"},   // '.' may match '/': stop
		{`^/welcome/static/css/`, "/welcome/static/css/…"}, // all literal
	} {
		got := "?"
		if s, ok := regexSpace(tc.expr); ok {
			got = s.String()
		}
		if got != tc.want {
			t.Errorf("regexSpace(%q) = %s, want %s", tc.expr, got, tc.want)
		}
	}
}

// regexSpace's cache outlives runs, so it keeps copies of the patterns,
// not views of the text the caller parsed (which the caller may reuse, as
// the fuzzer does, or drop), and no more of them than it may.
func TestRegexSpaceCacheKeepsItsOwnPatterns(t *testing.T) {
	regexSpaces.Clear()
	regexSpacesKept.Store(0)
	t.Cleanup(func() { regexSpaces.Clear(); regexSpacesKept.Store(0) })

	text := []byte(`^/cache-a/(.*)`)
	expr := unsafe.String(&text[0], len(text)) // as the tree hands out arguments
	want, _ := regexSpace(expr)
	copy(text, `^/b/`+strings.Repeat("x", len(text)-4)) // the caller reuses its buffer
	regexSpaces.Range(func(k, v any) bool {
		cached := v.(regexSpaceResult)
		if space, ok := readRegexSpace(k.(string)); ok != cached.ok || space.String() != cached.space.String() {
			t.Errorf("cache entry %q holds %s, not what the pattern reads as (%s)", k, cached.space, space)
		}
		return true
	})
	if got, _ := regexSpace(`^/cache-a/(.*)`); got.String() != want.String() {
		t.Errorf("cached answer for the pattern is %s, want %s", got, want)
	}

	defer func(n int64) { maxRegexSpaces = n }(maxRegexSpaces)
	maxRegexSpaces = 3
	for i := range 10 {
		if got, _ := regexSpace(fmt.Sprintf("^/p%d/", i)); got.String() != fmt.Sprintf("/p%d/…", i) {
			t.Errorf("pattern %d read as %s", i, got)
		}
	}
	n := 0
	regexSpaces.Range(func(any, any) bool { n++; return true })
	if n != 3 {
		t.Errorf("the cache holds %d patterns, want at most 3", n)
	}
}

func TestPrefixSpace(t *testing.T) {
	for prefix, want := range map[string]string{
		"/":              "/…",
		"/admin":         "/admin/…",
		"/admin/":        "/admin/…",
		"//a//b/":        "/a/b/…",
		"/*/static":      "/*/static/…",
		"/app[12]/x?":    "/*/*/…",
		"/welcome/appad": "/welcome/appad/…",
	} {
		if got := prefixSpace(prefix).String(); got != want {
			t.Errorf("prefixSpace(%q) = %s, want %s", prefix, got, want)
		}
	}
}

func TestSpaceRelations(t *testing.T) {
	static, _ := regexSpace(staticAliasRegex)
	root := prefixSpace("/")
	admin := prefixSpace("/admin")
	appadmin, _ := regexSpace(`^(/[\w_]*/appadmin/.*)`)
	welcomeStatic := prefixSpace("/welcome/static/css")
	for _, tc := range []struct {
		name               string
		a, b               urlSpace
		intersects, inside bool
	}{
		{"static in root", static, root, true, true},
		{"root not in static", root, static, true, false},
		{"admin app's static files", admin, static, true, false},
		{"appadmin is never static", appadmin, static, false, false},
		{"one app's css is static", welcomeStatic, static, true, true},
		{"admin in root", admin, root, true, true},
		{"admin and appadmin regex", admin, appadmin, true, false},
		{"different literals", prefixSpace("/a"), prefixSpace("/b"), false, false},
	} {
		if got := tc.a.intersects(tc.b); got != tc.intersects {
			t.Errorf("%s: %s intersects %s = %v, want %v", tc.name, tc.a, tc.b, got, tc.intersects)
		}
		if got := tc.a.within(tc.b); got != tc.inside {
			t.Errorf("%s: %s within %s = %v, want %v", tc.name, tc.a, tc.b, got, tc.inside)
		}
	}
}

func TestInStaticDir(t *testing.T) {
	root := "/home/web2py"
	for p, want := range map[string]bool{
		"/home/web2py/applications/welcome/static":              true,
		"/home/web2py/applications/welcome/static/":             true,
		"/home/web2py/applications/welcome/static/favicon.ico":  true,
		"/home/web2py/applications/welcome/databases/":          false,
		"/home/web2py/applications/":                            false,
		"/home/web2py/applications/static":                      false, // "static" is an app name here
		"/srv/other/applications/welcome/static":                false,
		"/home/web2py/applications//static":                     false,
		"/home/web2py/applications/welcome/controllers/static/": false,
		"/home/web2pyX/applications/welcome/static":             false,
		"/home/web2py/applications/welcome/statics":             false,
	} {
		if got := inStaticDir(p, root); got != want {
			t.Errorf("inStaticDir(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestRootFromApplications(t *testing.T) {
	for p, want := range map[string]string{
		"/home/web2py/applications/":               "/home/web2py",
		"/home/web2py/applications":                "/home/web2py",
		"/home/web2py//applications/welcome/":      "/home/web2py",
		"/home/web2py/applications/x/applications": "/home/web2py", // the first one
		"/srv/applicationsX/applications":          "/srv/applicationsX",
		"/home/web2py/applicationsX":               "",
		"/applications/":                           "", // no root above it
		"applications/":                            "",
		"/srv/www/":                                "",
	} {
		if got := rootFromApplications(p); got != want {
			t.Errorf("rootFromApplications(%q) = %q, want %q", p, got, want)
		}
	}
}

// The AliasMatch is the spec's text exactly: both arguments double-quoted,
// backslashes kept as written.
func TestStaticAliasMatchText(t *testing.T) {
	f, err := ast.Parse("t.conf", []byte("<VirtualHost *:80>\n</VirtualHost>\n"))
	if err != nil {
		t.Fatal(err)
	}
	VirtualHosts([]*ast.File{f})[0].Append(newStaticAliasMatch(ast.Maker{}, "/home/web2py"))
	want := "<VirtualHost *:80>\n" +
		`    AliasMatch "^/([^/]+)/static/(?:_[\d]+.[\d]+.[\d]+/)?(.*)" "/home/web2py/applications/$1/static/$2"` + "\n" +
		"</VirtualHost>\n"
	if got := string(ast.Print(f)); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	d := DirectivesIn(VirtualHosts([]*ast.File{f})[0], "AliasMatch")[0]
	if d.Arg(0) != staticAliasRegex || staticAliasRoot(d) != "/home/web2py" {
		t.Errorf("reads back as %q, root %q", d.Values(), staticAliasRoot(d))
	}
}

// goldenInput is one golden case's input, parsed, with its options.
type goldenInput struct {
	name  string
	files []*ast.File
	opts  Options
}

// loadGoldenInputs parses the inputs of every golden case of the given
// pass directories, for property tests over the same configurations.
func loadGoldenInputs(t *testing.T, dirs ...string) []goldenInput {
	t.Helper()
	var out []goldenInput
	for _, dir := range dirs {
		cases, err := filepath.Glob(filepath.Join("testdata", dir, "*.txtar"))
		if err != nil || len(cases) == 0 {
			t.Fatalf("no golden cases in testdata/%s", dir)
		}
		for _, c := range cases {
			ar, err := txtar.ParseFile(c)
			if err != nil {
				t.Fatal(err)
			}
			in := goldenInput{name: c, opts: DefaultOptions()}
			if strings.Contains(string(ar.Comment), "--apache=2.2") {
				in.opts.Apache = "2.2"
			}
			for _, f := range ar.Files {
				if f.Name == "in.conf" || strings.HasPrefix(f.Name, "in/") {
					pf, err := ast.Parse(f.Name, f.Data)
					if err != nil {
						t.Fatal(err)
					}
					in.files = append(in.files, pf)
				}
			}
			out = append(out, in)
		}
	}
	return out
}
