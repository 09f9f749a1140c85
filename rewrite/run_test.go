package rewrite

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/fixes"
)

func TestRunDirectoryOrderAndSymlinks(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"conf/b.conf":                  "B\n",
		"conf/a-b.conf":                "AB\n",
		"conf/a/x.conf":                "AX\n",
		"conf/a/notes.txt":             "not a conf\n",
		"conf/z.conf.wsgifix-bak":      "backup\n",
		"sites-available/site.conf":    "S\n",
		"conf/sites/site.conf":         "->../../sites-available/site.conf",
		"conf/sites/again.conf":        "->../../sites-available/site.conf",
		"conf/loop":                    "->.",
		"conf/.wsgifix-123.tmp":        "temp\n",
		"conf/zz-includes-nothing.txt": "x\n",
	})
	chdir(t, dir)
	r := mustRun(t, testOptions(), "conf")
	// Like httpd: each directory's entries in byte order, subdirectories
	// where they sort ("a" before "a-b.conf"), a file reached twice taken
	// once, symlink loops and our own backups and temp files skipped.
	wantText(t, "load order", "conf/a/x.conf\nconf/a-b.conf\nconf/b.conf\nconf/sites/again.conf", paths(r))
	if got := r.Files[3].Real; got != "sites-available/site.conf" {
		t.Errorf("symlink resolved to %q", got)
	}
}

func TestRunAllFilesAreOneServer(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.conf": "A\n", "b.conf": "B\n"})
	chdir(t, dir)
	var seen []string
	opts := testOptions()
	opts.Passes = []*fixes.Pass{{Name: "count", Run: func(c *fixes.Context) {
		for _, f := range c.Files {
			seen = append(seen, f.Name)
		}
	}}}
	mustRun(t, opts, "b.conf", "a.conf")
	wantText(t, "files one pass saw", "b.conf\na.conf", strings.Join(seen, "\n"))
}

func TestRunStdin(t *testing.T) {
	opts := testOptions()
	opts.Stdin = strings.NewReader("NameVirtualHost *:80\nListen 80\n")
	r := mustRun(t, opts, "-")
	f := r.Files[0]
	if !f.Stdin || f.Path != StdinName {
		t.Fatalf("file = %+v", f)
	}
	wantText(t, "after", "Listen 80\n", string(f.After))
	wantText(t, "findings", "<stdin>:1:1: [test-drop-nvh] remove NameVirtualHost", findingsText(f.Findings))
	wantText(t, "diff", "--- <stdin>\n+++ <stdin>\n@@ -1,2 +1 @@\n-NameVirtualHost *:80\n Listen 80\n", f.Diff)
}

func TestRunStdinTwiceIsAnError(t *testing.T) {
	_, err := Run(context.Background(), testOptions(), []string{"-", "-"})
	if err == nil || !strings.Contains(err.Error(), "more than once") {
		t.Errorf("err = %v", err)
	}
}

func TestRunBadFileDoesNotStopOthers(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"a.conf": "NameVirtualHost *:80\n",
		"b.conf": "Listen 80\nBad\x00\n",
		"c.conf": "NameVirtualHost *:443\n",
	})
	chdir(t, dir)
	r := mustRun(t, testOptions(), "a.conf", "b.conf", "missing.conf", "c.conf")
	wantText(t, "errors", "b.conf:2:4: NUL byte in configuration text\nmissing.conf: stat: no such file or directory", r.Err().Error())
	if !errors.Is(r.Files[2].Err, fs.ErrNotExist) {
		t.Errorf("missing file error %v is not ErrNotExist", r.Files[2].Err)
	}
	for _, i := range []int{0, 3} {
		if !r.Files[i].Changed || r.Files[i].Diff == "" {
			t.Errorf("%s: not changed", r.Files[i].Path)
		}
	}
	if !r.Changed() {
		t.Error("Changed() = false")
	}
}

func TestRunUnfixedErrors(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.conf": "Bogus\nNameVirtualHost x\n"})
	chdir(t, dir)
	r := mustRun(t, testOptions(), "a.conf")
	if n := r.UnfixedErrors(); n != 1 {
		t.Errorf("UnfixedErrors = %d, want 1", n)
	}
	// By position, though the passes ran the other way round.
	wantText(t, "findings", "a.conf:1:1: [test-bogus] cannot fix \"Bogus\"\na.conf:2:1: [test-drop-nvh] remove NameVirtualHost", findingsText(r.Files[0].Findings))
}

func TestRunPassPanicIsARunError(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.conf": "Listen 80\n"})
	chdir(t, dir)
	opts := testOptions()
	opts.Passes = []*fixes.Pass{{Name: "boom", Run: func(*fixes.Context) { panic("oops") }}}
	_, err := Run(context.Background(), opts, []string{"a.conf"})
	if err == nil || !strings.Contains(err.Error(), `internal error in pass "boom": oops`) {
		t.Errorf("err = %v", err)
	}
}

func TestRunRejectsBadPolicy(t *testing.T) {
	opts := testOptions()
	opts.Fix.Apache = "2.0"
	if _, err := Run(context.Background(), opts, []string{"x"}); err == nil || !strings.Contains(err.Error(), `--apache "2.0"`) {
		t.Errorf("err = %v", err)
	}
}

func TestRunWithRealRegistry(t *testing.T) {
	// The real passes run through the engine without error on the corpus
	// example (their results are the passes' own tests' business).
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.conf": "NameVirtualHost *:80\n<VirtualHost *:80>\nServerName\n</VirtualHost>\n"})
	chdir(t, dir)
	r := mustRun(t, DefaultOptions(), "a.conf")
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	if r.Files[0].Changed != (r.Files[0].Diff != "") {
		t.Errorf("changed=%v but diff %q", r.Files[0].Changed, r.Files[0].Diff)
	}
}

func findingsText(fs []fixes.Finding) string {
	var s []string
	for _, f := range fs {
		s = append(s, f.String())
	}
	return strings.Join(s, "\n")
}
