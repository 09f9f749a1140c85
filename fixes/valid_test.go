package fixes

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/internal/debiantest"
)

// Valid configurations come out unchanged (SPEC.md "Acceptance" 5): every
// *.conf of Debian's stock /etc/apache2 as one server, and the hand-written
// fixed corpus example, with every pass enabled, produce no change and no
// error finding.
func TestValidConfigsUnchanged(t *testing.T) {
	t.Run("debian", func(t *testing.T) {
		debiantest.Require(t)
		var paths []string
		filepath.Walk("/etc/apache2", func(p string, info os.FileInfo, err error) error {
			if err == nil && info.Mode().IsRegular() && strings.HasSuffix(p, ".conf") {
				paths = append(paths, p)
			}
			return nil
		})
		sort.Strings(paths)
		if len(paths) < 20 {
			t.Fatalf("only %d .conf files under /etc/apache2", len(paths))
		}
		checkUnchanged(t, paths)
	})
	t.Run("expected-example", func(t *testing.T) {
		p := "../../shared/corpus/book-http-https.expected-example.conf"
		if _, err := os.Stat(p); err != nil {
			t.Skip("no shared corpus beside the repository")
		}
		checkUnchanged(t, []string{p})
	})
}

func checkUnchanged(t *testing.T, paths []string) {
	t.Helper()
	var files []*ast.File
	var srcs [][]byte
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := ast.Parse(p, src)
		if err != nil {
			t.Fatal(err)
		}
		files, srcs = append(files, f), append(srcs, src)
	}
	all := make([]string, len(All))
	for i, p := range All {
		all[i] = p.Name
	}
	passes, err := Select(nil, nil, all)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Run(files, DefaultOptions(), passes) {
		if f.Severity == Error || f.Fixed {
			t.Errorf("valid config: %s (%s, fixed=%v)", f, f.Severity, f.Fixed)
		}
	}
	for i, f := range files {
		if !bytes.Equal(ast.Print(f), srcs[i]) {
			t.Errorf("%s changed", paths[i])
		}
	}
}
