package wsgifix_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// allowed is SPEC.md's "may import" column, a statement of policy in the
// spirit of Go's go/build/deps_test.go: imports flow ast <- fixes <- rewrite
// <- cmd. "std" is the standard library; "std-no-os" forbids os and friends
// (the tree and the passes do no I/O).
var allowed = map[string][]string{
	"ast":                 {"std-no-os"},
	"fixes":               {"std-no-os", "ast"},
	"rewrite":             {"std", "ast", "fixes", "github.com/sergi/go-diff", "github.com/hashicorp/go-multierror"},
	"cmd/wsgifix":         {"std", "rewrite", "fixes", "github.com/spf13/cobra"},
	"cmd/wsgifix-ansible": {"std", "rewrite", "fixes"},
}

var ioPackages = []string{"os", "os/exec", "io/ioutil", "net", "net/http", "syscall", "io/fs", "path/filepath"}

const module = "github.com/wsgifix/wsgifix/"

func TestImportBoundaries(t *testing.T) {
	for dir, rules := range allowed {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		if len(files) == 0 {
			if _, err := os.Stat(dir); err == nil {
				t.Errorf("%s: no Go files", dir)
			}
			continue
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if !permitted(path, rules) {
					t.Errorf("%s imports %q: %s may import only %v", file, path, dir, rules)
				}
			}
		}
	}
}

func permitted(path string, rules []string) bool {
	std := !strings.Contains(strings.Split(path, "/")[0], ".")
	for _, r := range rules {
		switch {
		case r == "std" && std:
			return true
		case r == "std-no-os" && std:
			for _, io := range ioPackages {
				if path == io {
					return false
				}
			}
			return true
		case strings.HasPrefix(path, module) && strings.TrimPrefix(path, module) == r:
			return true
		case strings.Contains(r, ".") && (path == r || strings.HasPrefix(path, r+"/")):
			return true
		}
	}
	// Test helpers under internal/ are never imported by product code.
	return false
}
