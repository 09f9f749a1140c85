package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wsgifix/wsgifix/internal/difftest"
	"github.com/wsgifix/wsgifix/rewrite"
)

// Fault injection at the command level: the same faults as the engine's
// tests, seen as an operator sees them (exit code, message, files on disk),
// through the app's file-system hook.

const (
	nvhBroken = "NameVirtualHost *:80\n<VirtualHost *:80>\n</VirtualHost>\n"
	nvhFixed  = "<VirtualHost *:80>\n</VirtualHost>\n"
)

// faultFS is the real file system with one operation failing for paths
// under one directory; a failing write writes half its bytes first.
type faultFS struct {
	rewrite.OSFS
	op, under string
	errno     error
	hits      int
}

func (f *faultFS) fail(op, path string) error {
	if op == f.op && strings.Contains(path, f.under) {
		f.hits++
		return &fs.PathError{Op: strings.ToLower(op), Path: path, Err: f.errno}
	}
	return nil
}

func (f *faultFS) ReadFile(n string) ([]byte, error) {
	if err := f.fail("ReadFile", n); err != nil {
		return nil, err
	}
	return f.OSFS.ReadFile(n)
}
func (f *faultFS) CreateTemp(dir, pattern string) (rewrite.TempFile, error) {
	if err := f.fail("CreateTemp", dir+"/"); err != nil {
		return nil, err
	}
	t, err := f.OSFS.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return &faultTemp{TempFile: t, fs: f}, nil
}
func (f *faultFS) Chmod(n string, m fs.FileMode) error {
	if err := f.fail("Chmod", n); err != nil {
		return err
	}
	return f.OSFS.Chmod(n, m)
}
func (f *faultFS) Chown(n string, u, g int) error {
	if err := f.fail("Chown", n); err != nil {
		return err
	}
	return f.OSFS.Chown(n, u, g)
}
func (f *faultFS) Link(a, b string) error {
	if err := f.fail("Link", b); err != nil {
		return err
	}
	return f.OSFS.Link(a, b)
}
func (f *faultFS) Rename(a, b string) error {
	if err := f.fail("Rename", b); err != nil {
		return err
	}
	return f.OSFS.Rename(a, b)
}
func (f *faultFS) SyncDir(n string) error {
	if err := f.fail("SyncDir", n+"/"); err != nil {
		return err
	}
	return f.OSFS.SyncDir(n)
}

type faultTemp struct {
	rewrite.TempFile
	fs *faultFS
}

func (t *faultTemp) Write(p []byte) (int, error) {
	if err := t.fs.fail("Write", t.Name()); err != nil {
		n, _ := t.TempFile.Write(p[:len(p)/2]) // the disk filled up mid-write
		return n, err
	}
	return t.TempFile.Write(p)
}
func (t *faultTemp) Sync() error {
	if err := t.fs.fail("Sync", t.Name()); err != nil {
		return err
	}
	return t.TempFile.Sync()
}

// faultTree makes A/a.conf and B/b.conf, both needing a fix, and chdirs.
func faultTree(t *testing.T) {
	t.Helper()
	t.Chdir(t.TempDir())
	for _, p := range []string{"A/a.conf", "B/b.conf"} {
		if err := os.MkdirAll(p[:1], 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(nvhBroken), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fixWith runs `wsgifix fix` in process over the fault tree with fsys.
func fixWith(fsys rewrite.FS, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, progressDelay: time.Hour, fsys: fsys}
	code = a.execute(append(append([]string{"fix", "--only", "name-virtual-host", "-j", "2"}, args...), "A/a.conf", "B/b.conf"))
	return code, out.String(), errOut.String()
}

func TestFixFaultsExitTwoAndNameFileAndCause(t *testing.T) {
	cases := []struct {
		op      string
		errno   error
		message string // a line of stderr, as a regexp
		written bool   // the fault comes after A/a.conf is in place
	}{
		{"ReadFile", syscall.EACCES, `^A/a\.conf: readfile: permission denied$`, false},
		{"CreateTemp", syscall.EACCES, `^A/a\.conf: create temp file: createtemp: permission denied$`, false},
		{"Write", syscall.ENOSPC, `^A/a\.conf: write A/\.wsgifix-\d+\.tmp: write: no space left on device$`, false},
		{"Sync", syscall.EIO, `^A/a\.conf: sync A/\.wsgifix-\d+\.tmp: sync: input/output error$`, false},
		{"Chmod", syscall.EPERM, `^A/a\.conf: keep mode -rw-r--r--: chmod: operation not permitted$`, false},
		{"Chown", syscall.EPERM, `^A/a\.conf: keep owner 12345:23456: chown: operation not permitted$`, false},
		{"Rename", syscall.EROFS, `^A/a\.conf: rename A/\.wsgifix-\d+\.tmp to A/a\.conf: rename: read-only file system$`, false},
		{"Link", syscall.EIO, `^A/a\.conf: backup: link A/a\.conf\.wsgifix-bak: link: input/output error$`, false},
		{"SyncDir", syscall.EIO, `^A/a\.conf: sync directory A: syncdir: input/output error \(the file was replaced; the change may not survive a crash\)$`, true},
	}
	for _, c := range cases {
		t.Run(c.op, func(t *testing.T) {
			faultTree(t)
			if c.op == "Chown" {
				if os.Getuid() != 0 {
					t.Skip("needs root to give the file another owner")
				}
				if err := os.Chown("A/a.conf", 12345, 23456); err != nil {
					t.Fatal(err)
				}
			}
			fsys := &faultFS{op: c.op, under: "A/", errno: c.errno}
			code, _, stderr := fixWith(fsys)
			if fsys.hits == 0 {
				t.Fatalf("%s was never called", c.op)
			}
			if code != exitError {
				t.Errorf("exit %d, want %d\n%s", code, exitError, stderr)
			}
			if !regexp.MustCompile(`(?m)` + c.message).MatchString(stderr) {
				t.Errorf("stderr has no line matching %s:\n%s", c.message, stderr)
			}
			// The other file of the batch is fixed all the same.
			if !strings.Contains(stderr, "wsgifix: fixed B/b.conf (backup B/b.conf.wsgifix-bak)\n") {
				t.Errorf("B/b.conf not reported fixed:\n%s", stderr)
			}
			wantFile(t, "B/b.conf", nvhFixed)
			wantDir(t, "B", "b.conf", "b.conf.wsgifix-bak")
			if c.written {
				// Renamed into place before the directory sync failed: the
				// new text and its backup are there, and the run says so.
				wantFile(t, "A/a.conf", nvhFixed)
				wantFile(t, "A/a.conf.wsgifix-bak", nvhBroken)
				return
			}
			wantFile(t, "A/a.conf", nvhBroken)
			wantDir(t, "A", "a.conf")
		})
	}
}

func TestFixFaultInJSON(t *testing.T) {
	faultTree(t)
	code, stdout, _ := fixWith(&faultFS{op: "Write", under: "A/", errno: syscall.ENOSPC}, "--format", "json")
	if code != exitError {
		t.Errorf("exit %d, want %d", code, exitError)
	}
	var rep struct {
		Files []struct {
			Path    string
			Backup  string
			Written bool
			Error   *string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if len(rep.Files) != 2 {
		t.Fatalf("%d files in the report:\n%s", len(rep.Files), stdout)
	}
	a, b := rep.Files[0], rep.Files[1]
	if a.Written || a.Backup != "" || a.Error == nil || !strings.Contains(*a.Error, "no space left on device") {
		t.Errorf("A/a.conf: %+v", a)
	}
	if !b.Written || b.Backup != "B/b.conf.wsgifix-bak" || b.Error != nil {
		t.Errorf("B/b.conf: %+v", b)
	}
	wantFile(t, "A/a.conf", nvhBroken)
	wantDir(t, "A", "a.conf")
}

func wantFile(t *testing.T, name, want string) {
	t.Helper()
	got, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if d := difftest.Diff(want, string(got)); d != "" {
		t.Errorf("%s differs:\n%s", name, d)
	}
}

func wantDir(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if d := difftest.Diff(strings.Join(names, "\n"), strings.Join(got, "\n")); d != "" {
		t.Errorf("%s holds other files (temp files left?):\n%s", dir, d)
	}
}
