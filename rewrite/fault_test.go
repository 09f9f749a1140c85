package rewrite

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
)

// The file system that fails is hookFS (reliability_fault_test.go).

func TestWriteFaultsLeaveOriginalIntact(t *testing.T) {
	cases := []struct {
		op   string
		err  error
		want string // in the error message
	}{
		{"CreateTemp", syscall.EACCES, "A/a.conf: create temp file: createtemp: permission denied"},
		{"Write", syscall.ENOSPC, "no space left on device"},
		{"Sync", syscall.EIO, "input/output error"},
		{"Close", syscall.EDQUOT, "disk quota exceeded"},
		{"Chmod", syscall.EPERM, "keep mode -rw-r-----: chmod: operation not permitted"},
		{"Chown", syscall.EPERM, "keep owner 12345:23456: chown: operation not permitted"},
		{"Rename", syscall.EROFS, "read-only file system"},
		{"Link", syscall.EIO, "A/a.conf: backup: link A/a.conf.wsgifix-bak: link: input/output error"},
		{"ReadFile", syscall.EIO, "A/a.conf: read"},
	}
	for _, c := range cases {
		t.Run(c.op, func(t *testing.T) {
			if c.op == "Chown" && os.Getuid() != 0 {
				t.Skip("needs root to give the file another owner")
			}
			dir := t.TempDir()
			writeTree(t, dir, map[string]string{"A/a.conf": nvhConf, "B/b.conf": nvhConf})
			chdir(t, dir)
			if err := os.Chmod("A/a.conf", 0o640); err != nil {
				t.Fatal(err)
			}
			if os.Getuid() == 0 {
				if err := os.Chown("A/a.conf", 12345, 23456); err != nil {
					t.Fatal(err)
				}
			}
			fsys := &hookFS{hook: failOn(c.op, "A/", c.err)}
			opts := testOptions()
			r := mustRun(t, opts, "A/a.conf", "B/b.conf")
			if c.op == "ReadFile" {
				// Fail the re-read of the lost-update check, not the load.
				r.opts.FS = fsys
			}
			err := r.Write(context.Background(), WriteOptions{Backup: true, FS: fsys, Jobs: 2})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
			if !strings.HasPrefix(err.Error(), "A/a.conf: ") {
				t.Errorf("error does not name the file first: %v", err)
			}
			if fsys.calls[c.op] == 0 {
				t.Fatalf("%s was never called", c.op)
			}
			wantText(t, "A/a.conf", nvhConf, readFile(t, "A/a.conf"))
			wantText(t, "A", "a.conf", listDir(t, "A"))
			// The other file is fixed all the same.
			wantText(t, "B/b.conf", nvhFixed, readFile(t, "B/b.conf"))
			wantText(t, "B", "b.conf\nb.conf.wsgifix-bak", listDir(t, "B"))
			if r.Files[0].Written || r.Files[0].Err == nil || r.Files[1].Err != nil {
				t.Errorf("a: written=%v err=%v; b: err=%v", r.Files[0].Written, r.Files[0].Err, r.Files[1].Err)
			}
		})
	}
}

func TestWriteBackupFallsBackToCopyWithoutHardLinks(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"A/a.conf": nvhConf, "A/a.conf.wsgifix-bak": "old\n"})
	chdir(t, dir)
	if err := os.Chmod("A/a.conf", 0o600); err != nil {
		t.Fatal(err)
	}
	fsys := &hookFS{hook: failOn("Link", "A/", syscall.EPERM)}
	r := mustRun(t, testOptions(), "A/a.conf")
	if err := r.Write(context.Background(), WriteOptions{Backup: true, FS: fsys}); err != nil {
		t.Fatal(err)
	}
	wantText(t, "a.conf", nvhFixed, readFile(t, "A/a.conf"))
	wantText(t, "old backup", "old\n", readFile(t, "A/a.conf.wsgifix-bak"))
	wantText(t, "backup copy", nvhConf, readFile(t, "A/a.conf.wsgifix-bak.1"))
	if fi, _ := os.Stat("A/a.conf.wsgifix-bak.1"); fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode = %v", fi.Mode().Perm())
	}
	wantText(t, "A", "a.conf\na.conf.wsgifix-bak\na.conf.wsgifix-bak.1", listDir(t, "A"))
}

func TestWriteDirSyncFailureIsReportedButWritten(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"A/a.conf": nvhConf})
	chdir(t, dir)
	fsys := &hookFS{hook: failOn("SyncDir", "A", syscall.EIO)}
	r := mustRun(t, testOptions(), "A/a.conf")
	err := r.Write(context.Background(), WriteOptions{FS: fsys})
	if err == nil || !strings.Contains(err.Error(), "A/a.conf: sync directory A: syncdir: input/output error") {
		t.Fatalf("err = %v", err)
	}
	if !r.Files[0].Written {
		t.Error("file renamed into place but not marked written")
	}
	wantText(t, "a.conf", nvhFixed, readFile(t, "A/a.conf"))
}
