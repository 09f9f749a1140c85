package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// casesDir holds one directory per case, relative to this package.
const casesDir = "../testdata/e2e"

// spec is a case's case.json. Paths are relative to the case directory.
type spec struct {
	Doc string `json:"doc"`
	// Corpus names the file in ../shared/corpus this case is a copy of.
	Corpus string `json:"corpus"`
	// Flags are passed to `wsgifix fix` and `wsgifix diff`.
	Flags []string `json:"flags"`
	// FixPaths are the PATH arguments, relative to the case directory
	// (default ".": every *.conf below it).
	FixPaths []string `json:"fix_paths"`
	// Include are the globs the main httpd.conf Includes, in order
	// (default "*.conf").
	Include []string `json:"include"`
	// ServerRootConf: the main httpd.conf sets ServerRoot to the case's
	// directory (not Debian's /etc/apache2), so that a main config of the
	// case with relative Include paths means to httpd what it means to
	// `wsgifix --include` (whose server root is the main config's
	// directory).
	ServerRootConf bool `json:"server_root_conf"`
	// Symlinks maps link -> target, as Debian's sites-enabled has them.
	Symlinks map[string]string `json:"symlinks"`
	// Root is the web2py root the case names (default /home/web2py).
	Root string `json:"root"`
	// HTTPPort and HTTPSPort are the case's vhost ports (HTTPS 0: none).
	HTTPPort  int `json:"http_port"`
	HTTPSPort int `json:"https_port"`
	// HostHTTP and HostHTTPS are the names clients use ("" = localhost,
	// the main server's name, for vhosts without ServerName).
	HostHTTP  string `json:"host_http"`
	HostHTTPS string `json:"host_https"`
	// OriginalError is what `apache2 -t` says about the original, with the
	// case directory prefix removed from paths.
	OriginalError string `json:"original_error"`
	// Valid: the original is already right; it passes `apache2 -t`, is
	// served and checked like an output, and wsgifix leaves it unchanged.
	Valid bool `json:"valid"`
	// OriginalLeaks: the original passes `apache2 -t` (with
	// mod_access_compat, like stock Debian) but serves files it must not;
	// the leak check must catch that, which proves the check can fail.
	OriginalLeaks bool `json:"original_leaks"`
	// Apache is the --apache the output targets: "2.2" loads
	// mod_access_compat for the output too.
	Apache string `json:"apache"`
	// Daemon is the process group the app must run in.
	Daemon string `json:"daemon"`
	// SSLRequired are URL paths the input refused over plain HTTP.
	SSLRequired []string `json:"ssl_required"`
	// CRLF: the input uses CRLF line endings, and so must the output.
	CRLF bool `json:"crlf"`
	// FixExit is the exit code `wsgifix fix` must give (default 0).
	FixExit int `json:"fix_exit"`
	// Skip names checks that do not apply, each with the reason.
	Skip map[string]string `json:"skip"`
}

// The checks a case can skip (with a reason in case.json).
const (
	checkStatic       = "static"
	checkVersioned    = "versioned-static"
	checkNoLeak       = "no-leak"
	checkOneDaemon    = "one-daemon"
	checkSharedInterp = "shared-interpreter"
	checkSSLRequired  = "ssl-required"
	checkSecondRun    = "second-run"
)

var allChecks = []string{checkStatic, checkVersioned, checkNoLeak, checkOneDaemon, checkSharedInterp, checkSSLRequired, checkSecondRun}

// testCase is a loaded case: its spec and its input files.
type testCase struct {
	name  string
	dir   string
	spec  spec
	files map[string][]byte // regular input files by slash path
}

func (c *testCase) applies(check string) bool { _, skip := c.spec.Skip[check]; return !skip }

// hasHTTPS says whether the case has an HTTPS vhost.
func (c *testCase) hasHTTPS() bool { return c.spec.HTTPSPort != 0 }

// loadCases reads every case under casesDir, sorted by name.
func loadCases() ([]*testCase, error) {
	entries, err := os.ReadDir(casesDir)
	if err != nil {
		return nil, err
	}
	var cases []*testCase
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		c, err := loadCase(filepath.Join(casesDir, e.Name()))
		if err != nil {
			return nil, err
		}
		cases = append(cases, c)
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].name < cases[j].name })
	return cases, nil
}

func loadCase(dir string) (*testCase, error) {
	c := &testCase{name: filepath.Base(dir), dir: dir, files: map[string][]byte{}}
	raw, err := os.ReadFile(filepath.Join(dir, "case.json"))
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c.spec); err != nil {
		return nil, fmt.Errorf("%s/case.json: %w", dir, err)
	}
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel == "case.json" {
			return nil
		}
		b, err := os.ReadFile(path)
		c.files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		return nil, err
	}
	c.setDefaults()
	return c, c.validate()
}

func (c *testCase) setDefaults() {
	s := &c.spec
	if len(s.FixPaths) == 0 {
		s.FixPaths = []string{"."}
	}
	if len(s.Include) == 0 {
		s.Include = []string{"*.conf"}
	}
	if s.Root == "" {
		s.Root = "/home/web2py"
	}
	if s.Apache == "" {
		s.Apache = "2.4"
	}
	if s.Daemon == "" {
		s.Daemon = "web2py"
	}
}

// validate rejects case files that would make a check meaningless.
func (c *testCase) validate() error {
	s := c.spec
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s/case.json: %s", c.dir, fmt.Sprintf(format, args...))
	}
	if s.Doc == "" {
		return bad("doc is empty: say what the case is about")
	}
	if len(c.files) == 0 {
		return bad("no input files")
	}
	if s.HTTPPort == 0 {
		return bad("http_port is required")
	}
	if s.Valid == (s.OriginalError != "") && !s.OriginalLeaks {
		return bad("give exactly one of original_error, valid or original_leaks")
	}
	if s.OriginalLeaks && (s.Valid || s.OriginalError != "") {
		return bad("original_leaks excludes valid and original_error")
	}
	for check, why := range s.Skip {
		if !slices.Contains(allChecks, check) {
			return bad("skip: unknown check %q (known: %s)", check, strings.Join(allChecks, ", "))
		}
		if why == "" {
			return bad("skip %q: give the reason", check)
		}
	}
	if len(s.SSLRequired) == 0 && c.applies(checkSSLRequired) {
		return bad("ssl_required is empty: list the paths or skip %q with the reason", checkSSLRequired)
	}
	for link := range s.Symlinks {
		if _, ok := c.files[link]; ok {
			return bad("symlink %q is also a regular file", link)
		}
	}
	return nil
}
