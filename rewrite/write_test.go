package rewrite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	nvhConf   = "NameVirtualHost *:80\n<VirtualHost *:80>\n</VirtualHost>\n"
	nvhFixed  = "<VirtualHost *:80>\n</VirtualHost>\n"
	cleanConf = "Listen 80\n"
)

func writeRun(t *testing.T, wopts WriteOptions, paths ...string) (*Result, error) {
	t.Helper()
	r := mustRun(t, testOptions(), paths...)
	return r, r.Write(context.Background(), wopts)
}

func TestWriteReplacesAndBacksUp(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.conf": nvhConf})
	chdir(t, dir)
	r, err := writeRun(t, WriteOptions{Backup: true}, "a.conf")
	if err != nil {
		t.Fatal(err)
	}
	wantText(t, "a.conf", nvhFixed, readFile(t, "a.conf"))
	wantText(t, "backup", nvhConf, readFile(t, "a.conf.wsgifix-bak"))
	if f := r.Files[0]; !f.Written || f.Backup != "a.conf.wsgifix-bak" {
		t.Errorf("written=%v backup=%q", f.Written, f.Backup)
	}
	assertNoTemp(t, dir)
}

func TestWriteNeverOverwritesABackup(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"a.conf":               nvhConf,
		"a.conf.wsgifix-bak":   "older backup\n",
		"a.conf.wsgifix-bak.1": "even older\n",
	})
	chdir(t, dir)
	r, err := writeRun(t, WriteOptions{Backup: true}, "a.conf")
	if err != nil {
		t.Fatal(err)
	}
	wantText(t, "old backup", "older backup\n", readFile(t, "a.conf.wsgifix-bak"))
	wantText(t, "old backup .1", "even older\n", readFile(t, "a.conf.wsgifix-bak.1"))
	wantText(t, "new backup", nvhConf, readFile(t, "a.conf.wsgifix-bak.2"))
	if r.Files[0].Backup != "a.conf.wsgifix-bak.2" {
		t.Errorf("Backup = %q", r.Files[0].Backup)
	}
}

func TestWriteNoBackup(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.conf": nvhConf})
	chdir(t, dir)
	if _, err := writeRun(t, WriteOptions{}, "a.conf"); err != nil {
		t.Fatal(err)
	}
	wantText(t, "a.conf", nvhFixed, readFile(t, "a.conf"))
	wantText(t, "directory", "a.conf", listDir(t, dir))
}

func TestWriteFollowsAndKeepsSymlinks(t *testing.T) {
	// Debian: sites-enabled/x.conf -> ../sites-available/x.conf.
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"sites-available/x.conf": nvhConf,
		"sites-enabled/x.conf":   "->../sites-available/x.conf",
	})
	chdir(t, dir)
	r, err := writeRun(t, WriteOptions{Backup: true}, "sites-enabled")
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat("sites-enabled/x.conf")
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("sites-enabled/x.conf is no longer a symlink (%v)", err)
	}
	if target, _ := os.Readlink("sites-enabled/x.conf"); target != "../sites-available/x.conf" {
		t.Errorf("link target = %q", target)
	}
	wantText(t, "target", nvhFixed, readFile(t, "sites-available/x.conf"))
	// The backup sits next to the real file, where no *.conf glob of
	// sites-enabled can load it.
	wantText(t, "backup", nvhConf, readFile(t, "sites-available/x.conf.wsgifix-bak"))
	wantText(t, "sites-enabled", "x.conf", listDir(t, "sites-enabled"))
	if r.Files[0].Path != "sites-enabled/x.conf" || r.Files[0].Backup != "sites-available/x.conf.wsgifix-bak" {
		t.Errorf("path=%q backup=%q", r.Files[0].Path, r.Files[0].Backup)
	}
}

func TestWriteKeepsModeAndOwner(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.conf": nvhConf})
	chdir(t, dir)
	if err := os.Chmod("a.conf", 0o640); err != nil {
		t.Fatal(err)
	}
	uid, gid := os.Getuid(), os.Getgid()
	if os.Getuid() == 0 {
		// As root the owner can be someone else; the rewrite must keep it.
		uid, gid = 12345, 23456
		if err := os.Chown("a.conf", uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := writeRun(t, WriteOptions{}, "a.conf"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat("a.conf")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, want 0640", fi.Mode().Perm())
	}
	if u, g, _ := ownerOf(fi); u != uid || g != gid {
		t.Errorf("owner = %d:%d, want %d:%d", u, g, uid, gid)
	}
}

func TestWriteLeavesUnchangedFilesAlone(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"clean.conf": cleanConf, "a.conf": nvhConf})
	chdir(t, dir)
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	if err := os.Chtimes("clean.conf", old, old); err != nil {
		t.Fatal(err)
	}
	r, err := writeRun(t, WriteOptions{Backup: true}, "clean.conf", "a.conf")
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat("clean.conf")
	if !fi.ModTime().Equal(old) {
		t.Errorf("mtime of an unchanged file moved to %v", fi.ModTime())
	}
	if r.Files[0].Written || r.Files[0].Backup != "" {
		t.Errorf("unchanged file: written=%v backup=%q", r.Files[0].Written, r.Files[0].Backup)
	}
	wantText(t, "directory", "a.conf\na.conf.wsgifix-bak\nclean.conf", listDir(t, dir))
}

func TestWriteRefusesLostUpdate(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.conf": nvhConf, "b.conf": nvhConf})
	chdir(t, dir)
	r := mustRun(t, testOptions(), "a.conf", "b.conf")
	// Someone edits a.conf between the run and the write (same size, so
	// only the bytes tell).
	edited := strings.Replace(nvhConf, "80>", "81>", 1)
	if err := os.WriteFile("a.conf", []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	err := r.Write(context.Background(), WriteOptions{Backup: true})
	if !errors.Is(err, ErrChangedOnDisk) {
		t.Fatalf("err = %v, want ErrChangedOnDisk", err)
	}
	wantText(t, "error", "a.conf: changed on disk since it was read; not written", err.Error())
	wantText(t, "a.conf", edited, readFile(t, "a.conf"))
	wantText(t, "b.conf", nvhFixed, readFile(t, "b.conf"))
	wantText(t, "directory", "a.conf\nb.conf\nb.conf.wsgifix-bak", listDir(t, dir))
}

func TestWriteSkipsStdinAndErroredFiles(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.conf": nvhConf})
	chdir(t, dir)
	opts := testOptions()
	opts.Stdin = strings.NewReader(nvhConf)
	r := mustRun(t, opts, "-", "a.conf")
	r.Files[1].Err = errors.New("a.conf: test error")
	if err := r.Write(context.Background(), WriteOptions{Backup: true}); err != nil {
		t.Fatal(err)
	}
	wantText(t, "a.conf", nvhConf, readFile(t, "a.conf"))
	wantText(t, "directory", "a.conf", listDir(t, dir))
}

// stubConfigtest writes a configtest script that prints msg and exits code.
func stubConfigtest(t *testing.T, msg string, code int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "configtest")
	script := "#!/bin/sh\necho '" + msg + "' >&2\nexit " + string(rune('0'+code)) + "\n"
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWriteVerifyFailureRestoresEverything(t *testing.T) {
	for _, backup := range []bool{true, false} {
		t.Run(map[bool]string{true: "backup", false: "no-backup"}[backup], func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string]string{"a.conf": nvhConf, "b.conf": nvhConf, "c.conf": cleanConf})
			chdir(t, dir)
			old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
			for _, n := range []string{"a.conf", "b.conf"} {
				if err := os.Chtimes(n, old, old); err != nil {
					t.Fatal(err)
				}
			}
			cmd := stubConfigtest(t, "AH00526: Syntax error on line 2 of a.conf: Invalid command 'Bogus'", 1)
			r, err := writeRun(t, WriteOptions{Backup: backup, Verify: cmd + " -t"}, "a.conf", "b.conf", "c.conf")
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a VerifyError", err)
			}
			if !strings.Contains(err.Error(), "AH00526: Syntax error on line 2 of a.conf") {
				t.Errorf("error does not show the configtest output: %v", err)
			}
			for _, n := range []string{"a.conf", "b.conf"} {
				wantText(t, n, nvhConf, readFile(t, n))
				if fi, _ := os.Stat(n); !fi.ModTime().Equal(old) {
					t.Errorf("%s: mtime %v not restored", n, fi.ModTime())
				}
			}
			wantText(t, "directory", "a.conf\nb.conf\nc.conf", listDir(t, dir))
			for _, f := range r.Files[:2] {
				if f.Written || f.Backup != "" || f.Err == nil {
					t.Errorf("%s: written=%v backup=%q err=%v", f.Path, f.Written, f.Backup, f.Err)
				}
			}
		})
	}
}

func TestWriteVerifySuccessKeepsChanges(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.conf": nvhConf})
	chdir(t, dir)
	cmd := stubConfigtest(t, "Syntax OK", 0)
	if _, err := writeRun(t, WriteOptions{Backup: true, Verify: cmd}, "a.conf"); err != nil {
		t.Fatal(err)
	}
	wantText(t, "a.conf", nvhFixed, readFile(t, "a.conf"))
}

func TestWriteVerifyMissingCommand(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.conf": nvhConf})
	chdir(t, dir)
	_, err := writeRun(t, WriteOptions{Verify: filepath.Join(dir, "no-such-apachectl") + " -t"}, "a.conf")
	var ve *VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v", err)
	}
	wantText(t, "a.conf", nvhConf, readFile(t, "a.conf"))
}

func listDir(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return strings.Join(names, "\n")
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), tempPrefix) {
			t.Errorf("temp file left behind: %s", p)
		}
		return nil
	})
}
