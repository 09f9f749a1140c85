package rewrite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/fixes"
	"github.com/wsgifix/wsgifix/internal/difftest"
)

// Test-only passes with behaviour these tests control, so engine tests do
// not depend on the real passes' details.
var (
	dropNameVirtualHost = &fixes.Pass{
		Name: "test-drop-nvh", Title: "remove NameVirtualHost", Doc: "test", Default: true,
		Run: func(c *fixes.Context) {
			for _, f := range c.Files {
				var drop []*ast.Directive
				ast.Directives(f, func(d *ast.Directive) {
					if d.Is("NameVirtualHost") {
						drop = append(drop, d)
					}
				})
				for _, d := range drop {
					c.Report(f, d.Pos(), fixes.Warning, true, "remove NameVirtualHost")
					ast.Remove(d)
				}
			}
		},
	}
	reportBogus = &fixes.Pass{
		Name: "test-bogus", Title: "report Bogus", Doc: "test", Default: true,
		Run: func(c *fixes.Context) {
			for _, f := range c.Files {
				ast.Directives(f, func(d *ast.Directive) {
					if d.Is("Bogus") {
						c.Report(f, d.Pos(), fixes.Error, false, "cannot fix %q", d.Name())
					}
				})
			}
		},
	}
	testPasses = []*fixes.Pass{dropNameVirtualHost, reportBogus}
)

func testOptions() Options {
	return Options{Passes: testPasses, Fix: fixes.DefaultOptions(), Jobs: 2}
}

// writeTree creates files (name → content) under dir; a content starting
// with "->" makes a symlink to the rest.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// chdir runs the rest of the test in dir (paths in results are relative).
func chdir(t *testing.T, dir string) {
	t.Helper()
	t.Chdir(dir)
}

func mustRun(t *testing.T, opts Options, paths ...string) *Result {
	t.Helper()
	r, err := Run(context.Background(), opts, paths)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func paths(r *Result) string {
	var s []string
	for _, f := range r.Files {
		s = append(s, f.Path)
	}
	return strings.Join(s, "\n")
}

func wantText(t *testing.T, what, want, got string) {
	t.Helper()
	if d := difftest.Diff(want, got); d != "" {
		t.Errorf("%s differs:\n%s", what, d)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
