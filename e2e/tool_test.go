package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// wsgifixTool is the CLI under test, built once per test run from
// ../cmd/wsgifix, on first use.
type wsgifixTool struct {
	dir  string
	once sync.Once
	path string
	err  error
}

// binary returns the built CLI, failing t when it does not build.
func (w *wsgifixTool) binary(t *testing.T) string {
	t.Helper()
	w.once.Do(func() {
		if w.err = readSources(".."); w.err != nil {
			return
		}
		w.path = filepath.Join(w.dir, "wsgifix")
		cmd := exec.Command("go", "build", "-o", w.path, "./cmd/wsgifix")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			w.err = fmt.Errorf("go build ./cmd/wsgifix: %v\n%s", err, out)
		}
	})
	if w.err != nil {
		t.Fatal(w.err)
	}
	return w.path
}

// readSources reads every file the CLI is built from. go test caches this
// package's result by the files the test itself opens, and the build runs
// in another process: without this, a changed pass still passed here from
// the cache (scripts/test.sh runs with -count=1 and never saw it).
func readSources(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		switch name := d.Name(); {
		case err != nil:
			return err
		case d.IsDir() && p != root && (strings.HasPrefix(name, ".") || name == "testdata"):
			return filepath.SkipDir
		case d.IsDir():
			return nil
		case strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go"), name == "go.mod", name == "go.sum":
			_, err := os.ReadFile(p)
			return err
		}
		return nil
	})
}

type toolResult struct {
	stdout, stderr string
	code           int
}

// run runs the CLI in dir with args and returns its output and exit code.
func (w *wsgifixTool) run(t *testing.T, dir string, args ...string) toolResult {
	t.Helper()
	cmd := exec.Command(w.binary(t), args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return toolResult{stdout.String(), stderr.String(), exit.ExitCode()}
	case err != nil:
		t.Fatalf("wsgifix %v: %v", args, err)
	}
	return toolResult{stdout.String(), stderr.String(), 0}
}
