package rewrite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Fault tests beyond fault_test.go (one failing operation per write):
// partial writes, faults in the backup copy, in the lost-update check, in
// the restore after a failed configtest, at load time, and many parallel
// writers with every other file failing.

// hookFS is OSFS with a hook that may fail any call: op is the FS method
// (or "Write", "Sync", "Close" on a temp file), paths its arguments.
type hookFS struct {
	OSFS
	hook func(op string, paths ...string) error
	// partial makes a failing Write write half its bytes first, as a disk
	// that fills up mid-write does.
	partial bool
	// onWrite, if set, sees every write to a temp file before the hook.
	onWrite func(temp string, p []byte)
	mu      sync.Mutex
	calls   map[string]int
}

func (h *hookFS) call(op string, paths ...string) error {
	h.mu.Lock()
	if h.calls == nil {
		h.calls = map[string]int{}
	}
	h.calls[op]++
	h.mu.Unlock()
	if err := h.hook(op, paths...); err != nil {
		p := ""
		if len(paths) > 0 {
			p = paths[len(paths)-1]
		}
		return &fs.PathError{Op: strings.ToLower(op), Path: p, Err: err}
	}
	return nil
}

func (h *hookFS) ReadFile(n string) ([]byte, error) {
	if err := h.call("ReadFile", n); err != nil {
		return nil, err
	}
	return h.OSFS.ReadFile(n)
}
func (h *hookFS) Stat(n string) (fs.FileInfo, error) {
	if err := h.call("Stat", n); err != nil {
		return nil, err
	}
	return h.OSFS.Stat(n)
}
func (h *hookFS) CreateTemp(dir, pattern string) (TempFile, error) {
	if err := h.call("CreateTemp", dir+"/"); err != nil {
		return nil, err
	}
	t, err := h.OSFS.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return &hookTemp{TempFile: t, h: h}, nil
}
func (h *hookFS) Chmod(n string, m fs.FileMode) error {
	if err := h.call("Chmod", n); err != nil {
		return err
	}
	return h.OSFS.Chmod(n, m)
}
func (h *hookFS) Chown(n string, u, g int) error {
	if err := h.call("Chown", n); err != nil {
		return err
	}
	return h.OSFS.Chown(n, u, g)
}
func (h *hookFS) Chtimes(n string, a, m time.Time) error {
	if err := h.call("Chtimes", n); err != nil {
		return err
	}
	return h.OSFS.Chtimes(n, a, m)
}
func (h *hookFS) Link(a, b string) error {
	if err := h.call("Link", a, b); err != nil {
		return err
	}
	return h.OSFS.Link(a, b)
}
func (h *hookFS) Rename(a, b string) error {
	if err := h.call("Rename", a, b); err != nil {
		return err
	}
	return h.OSFS.Rename(a, b)
}
func (h *hookFS) Remove(n string) error {
	if err := h.call("Remove", n); err != nil {
		return err
	}
	return h.OSFS.Remove(n)
}
func (h *hookFS) SyncDir(n string) error {
	if err := h.call("SyncDir", n); err != nil {
		return err
	}
	return h.OSFS.SyncDir(n)
}

type hookTemp struct {
	TempFile
	h *hookFS
}

func (t *hookTemp) Write(p []byte) (int, error) {
	if t.h.onWrite != nil {
		t.h.onWrite(t.Name(), p)
	}
	if err := t.h.call("Write", t.Name()); err != nil {
		if t.h.partial {
			n, _ := t.TempFile.Write(p[:len(p)/2])
			return n, err
		}
		return 0, err
	}
	return t.TempFile.Write(p)
}
func (t *hookTemp) Sync() error {
	if err := t.h.call("Sync", t.Name()); err != nil {
		return err
	}
	return t.TempFile.Sync()
}

// Close closes the file before it fails, as a close that reports a
// delayed write error does.
func (t *hookTemp) Close() error {
	err := t.TempFile.Close()
	if herr := t.h.call("Close", t.Name()); herr != nil {
		return herr
	}
	return err
}

// failOn fails op with errno when any of its paths contains under.
func failOn(op, under string, errno error) func(string, ...string) error {
	return func(o string, paths ...string) error {
		if o != op {
			return nil
		}
		for _, p := range paths {
			if strings.Contains(p, under) {
				return errno
			}
		}
		return nil
	}
}

// twoDirs makes A/a.conf and B/b.conf, both needing the fix, and chdirs.
func twoDirs(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"A/a.conf": nvhConf, "B/b.conf": nvhConf})
	chdir(t, dir)
}

// wantAIntactBFixed checks the outcome every fault must have: A/a.conf
// byte-identical with nothing next to it, B/b.conf fixed with its backup.
func wantAIntactBFixed(t *testing.T, r *Result) {
	t.Helper()
	wantText(t, "A/a.conf", nvhConf, readFile(t, "A/a.conf"))
	wantText(t, "A", "a.conf", listDir(t, "A"))
	wantText(t, "B/b.conf", nvhFixed, readFile(t, "B/b.conf"))
	wantText(t, "B", "b.conf\nb.conf.wsgifix-bak", listDir(t, "B"))
	if a := r.Files[0]; a.Written || a.Backup != "" || a.Err == nil {
		t.Errorf("A/a.conf: written=%v backup=%q err=%v", a.Written, a.Backup, a.Err)
	}
	if b := r.Files[1]; !b.Written || b.Err != nil {
		t.Errorf("B/b.conf: written=%v err=%v", b.Written, b.Err)
	}
}

func TestWriteDiskFullMidWriteLeavesNoTemp(t *testing.T) {
	twoDirs(t)
	h := &hookFS{hook: failOn("Write", "A/", syscall.ENOSPC), partial: true}
	r := mustRun(t, testOptions(), "A/a.conf", "B/b.conf")
	err := r.Write(context.Background(), WriteOptions{Backup: true, FS: h, Jobs: 2})
	if err == nil || !strings.HasPrefix(err.Error(), "A/a.conf: write ") || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("err = %v", err)
	}
	if !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("err %v does not wrap ENOSPC", err)
	}
	wantAIntactBFixed(t, r)
}

func TestWriteBackupCopyFaults(t *testing.T) {
	// Without hard links the backup is a copy through a temp file; a fault
	// there must leave no backup, no temp file and the original as it was.
	for _, op := range []string{"CreateTemp", "Write", "Sync", "Chmod", "Rename"} {
		t.Run(op, func(t *testing.T) {
			twoDirs(t)
			fail := failOn(op, "A/", syscall.ENOSPC)
			h := &hookFS{hook: func(o string, paths ...string) error {
				if o == "Link" {
					return syscall.EPERM // no hard links on this file system
				}
				if op == "Rename" && o == "Rename" && !strings.HasSuffix(paths[1], backupSuffix) {
					return nil // only the rename of the backup copy fails
				}
				return fail(o, paths...)
			}, partial: true}
			r := mustRun(t, testOptions(), "A/a.conf", "B/b.conf")
			err := r.Write(context.Background(), WriteOptions{Backup: true, FS: h, Jobs: 2})
			if err == nil || !strings.HasPrefix(err.Error(), "A/a.conf: backup: ") || !strings.Contains(err.Error(), "no space left on device") {
				t.Fatalf("err = %v", err)
			}
			wantAIntactBFixed(t, r)
		})
	}
}

func TestWriteLostUpdateCheckFaults(t *testing.T) {
	// The file cannot be examined again right before the rename: refused,
	// never written blind.
	for _, op := range []string{"Stat", "ReadFile"} {
		t.Run(op, func(t *testing.T) {
			twoDirs(t)
			r := mustRun(t, testOptions(), "A/a.conf", "B/b.conf")
			stats := 0
			h := &hookFS{hook: func(o string, paths ...string) error {
				if o != op || paths[0] != "A/a.conf" {
					return nil
				}
				// The first Stat (before the backup) passes, the check's fails.
				if stats++; op == "Stat" && stats == 1 {
					return nil
				}
				return syscall.EIO
			}}
			err := r.Write(context.Background(), WriteOptions{Backup: true, FS: h, Jobs: 1})
			if err == nil || !strings.HasPrefix(err.Error(), "A/a.conf: ") || !strings.Contains(err.Error(), "input/output error") {
				t.Fatalf("err = %v", err)
			}
			if h.calls[op] < 2 && op == "Stat" || h.calls[op] < 1 {
				t.Fatalf("%s called %d times", op, h.calls[op])
			}
			wantAIntactBFixed(t, r)
		})
	}
}

func TestVerifyRestoreFaultKeepsBackup(t *testing.T) {
	// The configtest fails and putting a.conf's backup back fails too: the
	// error says so, names the file, and the backup (the original bytes)
	// is still there for the operator.
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.conf": nvhConf, "b.conf": nvhConf})
	chdir(t, dir)
	h := &hookFS{hook: func(o string, paths ...string) error {
		if o == "Rename" && paths[0] == "a.conf"+backupSuffix {
			return syscall.EIO
		}
		return nil
	}}
	cmd := stubConfigtest(t, "Syntax error", 1)
	r := mustRun(t, testOptions(), "a.conf", "b.conf")
	err := r.Write(context.Background(), WriteOptions{Backup: true, Verify: cmd, FS: h})
	var ve *VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a VerifyError", err)
	}
	if !strings.Contains(err.Error(), "a.conf: restore failed: rename: input/output error") {
		t.Errorf("restore failure not reported: %v", err)
	}
	wantText(t, "backup of a.conf", nvhConf, readFile(t, "a.conf"+backupSuffix))
	wantText(t, "b.conf (restored)", nvhConf, readFile(t, "b.conf"))
	wantText(t, "directory", "a.conf\na.conf.wsgifix-bak\nb.conf", listDir(t, "."))
	assertNoTemp(t, ".")
}

func TestLoadUnreadableFileIsReportedOthersGoOn(t *testing.T) {
	// As root nothing is unreadable, so EACCES comes from the FS seam.
	twoDirs(t)
	opts := testOptions()
	opts.FS = &hookFS{hook: failOn("ReadFile", "A/", syscall.EACCES)}
	r := mustRun(t, opts, "A/a.conf", "B/b.conf")
	wantText(t, "errors", "A/a.conf: readfile: permission denied", fmt.Sprint(r.Err()))
	if !errors.Is(r.Files[0].Err, fs.ErrPermission) {
		t.Errorf("error %v is not ErrPermission", r.Files[0].Err)
	}
	err := r.Write(context.Background(), WriteOptions{Backup: true})
	if err != nil {
		t.Fatalf("write: %v", err)
	}
	wantAIntactBFixed(t, r)
}

func TestWriteManyParallelFaults(t *testing.T) {
	// 200 files in 4 directories, 16 writers; every odd-numbered file fails
	// at one of five steps: exactly those stay as they were. (CreateTemp
	// cannot tell its target; fault_test.go fails it per directory.)
	const n = 200
	dir := t.TempDir()
	files := map[string]string{}
	var names []string
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("d%d/f%03d.conf", i%4, i)
		files[name] = fmt.Sprintf("# f%03d\n", i) + nvhConf
		names = append(names, name)
	}
	writeTree(t, dir, files)
	chdir(t, dir)
	steps := []string{"Write", "Sync", "Chmod", "Rename", "Link"}
	stepOf := func(number string) string {
		var i int
		if _, err := fmt.Sscanf(number, "f%03d", &i); err != nil || i%2 == 0 {
			return ""
		}
		return steps[(i/2)%len(steps)]
	}
	// Temp file names say nothing of their target; the content does.
	var mu sync.Mutex
	owner := map[string]string{} // temp file -> "fNNN"
	h := &hookFS{partial: true}
	h.onWrite = func(temp string, p []byte) {
		mu.Lock()
		defer mu.Unlock()
		owner[temp] = string(p[2:6])
	}
	h.hook = func(o string, paths ...string) error {
		mu.Lock()
		of := owner[paths[0]]
		mu.Unlock()
		switch o {
		case "Link", "Rename":
			if o == "Rename" && !strings.HasPrefix(filepath.Base(paths[0]), tempPrefix) {
				return nil
			}
			if o == "Link" {
				of = strings.TrimSuffix(filepath.Base(paths[0]), ".conf")
			}
		}
		if of != "" && stepOf(of) == o {
			return syscall.ENOSPC
		}
		return nil
	}
	r := mustRun(t, testOptions(), names...)
	err := r.Write(context.Background(), WriteOptions{Backup: true, FS: h, Jobs: 16})
	if err == nil {
		t.Fatal("no error")
	}
	failed := 0
	for _, f := range r.Files {
		number := strings.TrimSuffix(filepath.Base(f.Path), ".conf")
		if stepOf(number) == "" {
			wantText(t, f.Path, "# "+number+"\n"+nvhFixed, readFile(t, f.Path))
			if !f.Written || f.Err != nil {
				t.Errorf("%s: written=%v err=%v", f.Path, f.Written, f.Err)
			}
			continue
		}
		failed++
		wantText(t, f.Path, files[f.Path], readFile(t, f.Path))
		if f.Written || f.Err == nil || !strings.HasPrefix(f.Err.Error(), f.Path+": ") || !strings.Contains(f.Err.Error(), "no space left on device") {
			t.Errorf("%s (fails at %s): written=%v err=%v", f.Path, stepOf(number), f.Written, f.Err)
		}
		if _, err := os.Lstat(f.Path + backupSuffix); err == nil {
			t.Errorf("%s: backup left although the file was not written", f.Path)
		}
	}
	if got := strings.Count(err.Error(), "\n") + 1; got != failed || failed != n/2 {
		t.Errorf("%d errors reported for %d failed files (want %d)", got, failed, n/2)
	}
	assertNoTemp(t, ".")
}
