package rewrite

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/internal/debiantest"
)

func includeOptions(env map[string]string) Options {
	opts := testOptions()
	opts.Include = true
	opts.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	return opts
}

func TestIncludeOrderGlobsAndDirectories(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"etc/main.conf":                 "Listen 80\nInclude conf.d/*.conf\nInclude extra\nInclude \"last.conf\"\n",
		"etc/conf.d/b.conf":             "Include nested.conf\n",
		"etc/conf.d/a.conf":             "A\n",
		"etc/conf.d/.hidden.conf":       "not matched by *\n",
		"etc/conf.d/c.txt":              "not matched\n",
		"etc/nested.conf":               "N\n",
		"etc/extra/2.txt":               "directories include every file\n",
		"etc/extra/1/x":                 "X\n",
		"etc/last.conf":                 "L\n",
		"etc/conf.d/a.conf.wsgifix-bak": "our backup\n",
	})
	chdir(t, dir)
	r := mustRun(t, includeOptions(nil), "etc/main.conf")
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	// Depth first, as httpd reads them; relative to the main config's
	// directory when there is no ServerRoot.
	wantText(t, "load order", strings.Join([]string{
		"etc/main.conf", "etc/conf.d/a.conf", "etc/conf.d/b.conf", "etc/nested.conf",
		"etc/extra/1/x", "etc/extra/2.txt", "etc/last.conf",
	}, "\n"), paths(r))
}

func TestIncludeServerRoot(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"etc/main.conf":    "Include early.conf\nServerRoot " + filepath.Join(dir, "root") + "\nInclude late.conf\n",
		"etc/early.conf":   "E\n",
		"root/late.conf":   "L\n",
		"other/early.conf": "from --server-root\n",
	})
	chdir(t, dir)
	r := mustRun(t, includeOptions(nil), "etc/main.conf")
	wantText(t, "files", "etc/main.conf\netc/early.conf\n"+filepath.Join(dir, "root/late.conf"), paths(r))

	opts := includeOptions(nil)
	opts.ServerRoot = "other"
	r = mustRun(t, opts, "etc/main.conf")
	wantText(t, "files with --server-root", "etc/main.conf\nother/early.conf\n"+filepath.Join(dir, "root/late.conf"), paths(r))
}

func TestIncludeMissing(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"main.conf": "IncludeOptional none/*.conf\nIncludeOptional none.conf\nInclude sites/*.conf\n  Include gone.conf\nInclude ok.conf\n",
		"ok.conf":   "NameVirtualHost *:80\n",
	})
	chdir(t, dir)
	r := mustRun(t, includeOptions(nil), "main.conf")
	wantText(t, "errors", strings.Join([]string{
		`main.conf:3:1: Include "sites/*.conf": no file matches "sites/*.conf" (IncludeOptional would allow that)`,
		`main.conf:4:3: Include "gone.conf": stat: no such file or directory`,
	}, "\n"), fmt.Sprint(r.Err()))
	// The failing main config is not written; the included file still is fixed.
	if r.Files[0].Diff != "" || !r.Files[1].Changed || r.Files[1].Err != nil {
		t.Errorf("main diff %q; ok.conf changed=%v err=%v", r.Files[0].Diff, r.Files[1].Changed, r.Files[1].Err)
	}
}

func TestIncludeCycle(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"main.conf": "Include a.conf\n",
		"a.conf":    "Include b.conf\n",
		"b.conf":    "Listen 80\nInclude a.conf\n",
	})
	chdir(t, dir)
	r := mustRun(t, includeOptions(nil), "main.conf")
	wantText(t, "errors", "b.conf:2:1: include cycle: main.conf -> a.conf -> b.conf -> a.conf", fmt.Sprint(r.Err()))
}

func TestIncludeDepthLimit(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for i := 0; i < 140; i++ {
		files[fmt.Sprintf("f%03d.conf", i)] = fmt.Sprintf("Include f%03d.conf\n", i+1)
	}
	files["f140.conf"] = "Listen 80\n"
	writeTree(t, dir, files)
	chdir(t, dir)
	r := mustRun(t, includeOptions(nil), "f000.conf")
	err := fmt.Sprint(r.Err())
	if !strings.HasPrefix(err, "f128.conf:1:1: includes nested deeper than 128: f000.conf -> f001.conf -> ") ||
		!strings.HasSuffix(err, "f128.conf -> f129.conf") {
		t.Errorf("err = %s", err)
	}
	if len(r.Files) != 129 {
		t.Errorf("loaded %d files, want 129 (depth 0..128)", len(r.Files))
	}
}

func TestIncludeVariables(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"main.conf":    "Define SITES sites\nInclude ${SITES}/*.conf\nInclude ${FROM_ENV}.conf\nInclude ${NOPE}/x.conf\nErrorLog ${APACHE_LOG_DIR}/error.log\n",
		"sites/a.conf": "A\n",
		"env.conf":     "E\n",
	})
	chdir(t, dir)
	r := mustRun(t, includeOptions(map[string]string{"FROM_ENV": "env"}), "main.conf")
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	wantText(t, "files", "main.conf\nsites/a.conf\nenv.conf", paths(r))
	// Unknown variables in include paths are reported and left alone;
	// those in other directives are none of Include's business.
	wantText(t, "findings", `main.conf:4:9: [include] Include "${NOPE}/x.conf" uses ${NOPE}, which neither Define nor the environment sets: left alone, not followed`, findingsText(r.Findings))
	if r.Files[0].Changed {
		t.Error("the main config was changed")
	}
}

func TestIncludeStdinMain(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"inc/a.conf": "NameVirtualHost *:80\n"})
	chdir(t, dir)
	opts := includeOptions(nil)
	opts.Stdin = strings.NewReader("Include inc/*.conf\n")
	r := mustRun(t, opts, "-")
	wantText(t, "files", "<stdin>\ninc/a.conf", paths(r))
}

// TestIncludeDebianTree follows the installed Debian configuration, copied
// to a temp directory: every Include resolves, the files come in the order
// of apache2.conf's Include lines, and nothing changes.
func TestIncludeDebianTree(t *testing.T) {
	chdir(t, filepath.Join(debiantest.Copy(t), "apache2"))
	r := mustRun(t, includeOptions(nil), "apache2.conf")
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"apache2.conf"}
	for _, g := range []string{"mods-enabled/*.load", "mods-enabled/*.conf", "ports.conf", "conf-enabled/*.conf", "sites-enabled/*.conf"} {
		m, _ := filepath.Glob(g)
		if g == "mods-enabled/*.load" && len(m) == 0 {
			t.Fatal("no modules enabled: not Debian's tree")
		}
		want = append(want, m...)
	}
	wantText(t, "load order", strings.Join(want, "\n"), paths(r))
	if len(r.Findings) != 0 || r.Changed() {
		t.Errorf("findings %v, changed %v", findingsText(r.Findings), r.Changed())
	}
	// Symlinked sites resolve to sites-available.
	for _, f := range r.Files {
		if strings.HasPrefix(f.Path, "sites-enabled/") && !strings.HasPrefix(f.Real, "sites-available/") {
			t.Errorf("%s resolved to %s", f.Path, f.Real)
		}
	}
}
