package rewrite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Hostile inputs at the engine level; cmd/wsgifix/hostile_test.go runs the
// whole catalog through the command with its exit codes.

// runWithin runs Run and fails the test if it does not return within d:
// a read that blocks (a FIFO without writer) must never hang a run.
func runWithin(t *testing.T, d time.Duration, opts Options, paths ...string) *Result {
	t.Helper()
	type out struct {
		r   *Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		r, err := Run(context.Background(), opts, paths)
		done <- out{r, err}
	}()
	select {
	case o := <-done:
		if o.err != nil {
			t.Fatal(o.err)
		}
		return o.r
	case <-time.After(d):
		t.Fatalf("Run(%v) still running after %v", paths, d)
		return nil
	}
}

func TestRunRefusesFIFOsAndDevices(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"a.conf":       nvhConf,
		"main.conf":    "Include sites/*.conf\nInclude pipe.conf\n",
		"sites/b.conf": nvhConf,
		"zero.conf":    "->/dev/zero",
	})
	chdir(t, dir)
	for _, p := range []string{"pipe.conf", "sites/pipe.conf"} {
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	}
	cases := []struct {
		name    string
		include bool
		paths   []string
		errs    string
	}{
		{"named", false, []string{"pipe.conf", "/dev/zero", "a.conf"},
			"pipe.conf: not a regular file (named pipe); not read\n" +
				"/dev/zero: not a regular file (character device); not read"},
		{"symlink-to-device", false, []string{"zero.conf", "a.conf"},
			"zero.conf: not a regular file (character device); not read"},
		{"in-directory", false, []string{"sites"},
			"sites/pipe.conf: not a regular file (named pipe); not read"},
		{"included", true, []string{"main.conf"},
			"sites/pipe.conf: not a regular file (named pipe); not read\n" +
				"pipe.conf: not a regular file (named pipe); not read"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := testOptions()
			opts.Include = c.include
			r := runWithin(t, 10*time.Second, opts, c.paths...)
			wantText(t, "errors", c.errs, fmt.Sprint(r.Err()))
			for _, f := range r.Files {
				if f.Err != nil && !errors.Is(f.Err, ErrNotRegular) {
					t.Errorf("%s: %v is not ErrNotRegular", f.Path, f.Err)
				}
				if f.Err == nil && f.Path != "main.conf" && !f.Changed {
					t.Errorf("%s: the regular file next to the refused ones was not fixed", f.Path)
				}
			}
		})
	}
}

func TestRunRefusesFilesOverTheSizeLimit(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.conf": nvhConf})
	chdir(t, dir)
	// Sparse: the size is what Stat says, no disk or memory is used.
	for name, size := range map[string]int64{"big.conf": MaxFileSize + 1, "limit.conf": MaxFileSize} {
		f, err := os.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	r := runWithin(t, 10*time.Second, testOptions(), "big.conf", "a.conf")
	wantText(t, "errors", "big.conf: file too large (over 256 MiB); not read", fmt.Sprint(r.Err()))
	if !errors.Is(r.Files[0].Err, ErrTooLarge) || r.Files[0].Before != nil {
		t.Errorf("big.conf: err %v, read %d bytes", r.Files[0].Err, len(r.Files[0].Before))
	}
	if !r.Files[1].Changed {
		t.Error("a.conf not fixed")
	}
	if err := checkReadable(mustStat(t, "limit.conf")); err != nil {
		t.Errorf("a file of exactly the limit is refused: %v", err)
	}
}

func mustStat(t *testing.T, p string) os.FileInfo {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

func TestRunRefusesEndlessStdin(t *testing.T) {
	// Standard input has no size to check first: the read stops one byte
	// past the limit (lowered to 1 MiB here, so the test reads 1 MiB).
	lowerReadLimit(t, 1<<20)
	opts := testOptions()
	opts.Stdin = zeros{}
	r := runWithin(t, 30*time.Second, opts, "-")
	wantText(t, "errors", "<stdin>: file too large (over 1 MiB); not read", fmt.Sprint(r.Err()))
}

func TestRunRefusesAFileThatGrewPastTheLimit(t *testing.T) {
	// Small when checked, over the limit when read: refused all the same.
	lowerReadLimit(t, 1<<20)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.conf": nvhConf, "b.conf": nvhConf})
	chdir(t, dir)
	opts := testOptions()
	opts.FS = growingFS{grow: "a.conf", by: 1 << 20}
	r := runWithin(t, 10*time.Second, opts, "a.conf", "b.conf")
	wantText(t, "errors", "a.conf: file too large (over 1 MiB); not read", fmt.Sprint(r.Err()))
	if !errors.Is(r.Files[0].Err, ErrTooLarge) || !r.Files[1].Changed {
		t.Errorf("a.conf: %v; b.conf changed=%v", r.Files[0].Err, r.Files[1].Changed)
	}
}

func lowerReadLimit(t *testing.T, n int64) {
	old := readLimit
	readLimit = n
	t.Cleanup(func() { readLimit = old })
}

// growingFS reads one file with extra bytes appended, as if it grew
// between Stat and ReadFile.
type growingFS struct {
	OSFS
	grow string
	by   int
}

func (g growingFS) ReadFile(name string) ([]byte, error) {
	b, err := g.OSFS.ReadFile(name)
	if err == nil && name == g.grow {
		b = append(b, bytes.Repeat([]byte("#"), g.by)...)
	}
	return b, err
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestRunSymlinkLoops(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"conf/a.conf":         nvhConf,
		"conf/loop":           "->.",
		"conf/sub/back":       "->../..",
		"conf/sub/b.conf":     nvhConf,
		"conf/self.conf":      "->self.conf",
		"conf/ping/pong.conf": "->../pong/ping.conf",
		"conf/pong/ping.conf": "->../ping/pong.conf",
		"conf/gone.conf":      "->../removed.conf",
	})
	chdir(t, dir)
	r := runWithin(t, 10*time.Second, testOptions(), "conf")
	// Each real file once; the directory loops are not followed round; the
	// file loops and the dangling link are errors for those names only, and
	// the walk goes on past them.
	wantText(t, "files", "conf/a.conf\nconf/gone.conf\nconf/ping/pong.conf\nconf/pong/ping.conf\nconf/self.conf\nconf/sub/b.conf", paths(r))
	errs := fmt.Sprint(r.Err())
	for _, name := range []string{"conf/ping/pong.conf", "conf/pong/ping.conf", "conf/self.conf"} {
		if !strings.Contains(errs, name+": EvalSymlinks: too many links") {
			t.Errorf("%s: no symlink loop error in %q", name, errs)
		}
	}
	if !strings.Contains(errs, "conf/gone.conf: lstat: no such file or directory") {
		t.Errorf("no error for the dangling link in %q", errs)
	}
	for _, name := range []string{"conf/a.conf", "conf/sub/b.conf"} {
		if f := fileNamed(r, name); f.Err != nil || !f.Changed {
			t.Errorf("%s: err=%v changed=%v", name, f.Err, f.Changed)
		}
	}
}

func fileNamed(r *Result, name string) *File {
	for _, f := range r.Files {
		if f.Path == name {
			return f
		}
	}
	return &File{Err: fmt.Errorf("%s: not in the run", name)}
}
