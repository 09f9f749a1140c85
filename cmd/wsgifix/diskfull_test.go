package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestFixOnAFullDisk runs the real command on a 64 KiB tmpfs filled so that
// the rewrite of one file cannot fit while a small one can: the big file
// stays byte-identical with no temp file or backup beside it, the command
// exits 2 naming the file and ENOSPC, and the other files are fixed. It
// needs root to mount; under CI (which runs as root) it must run.
func TestFixOnAFullDisk(t *testing.T) {
	mnt := mountTmpfs(t, "64k")
	big := "NameVirtualHost *:80\n" + strings.Repeat("# padding the file so its rewrite needs many pages\n", 480)
	if len(big) < 20<<10 {
		t.Fatalf("big file is only %d bytes", len(big))
	}
	writeFiles(t, map[string]string{
		filepath.Join(mnt, "a.conf"): big,
		filepath.Join(mnt, "b.conf"): nvhBroken,
	})
	outside := filepath.Join(t.TempDir(), "c.conf")
	writeFiles(t, map[string]string{outside: nvhBroken})

	// Fill the file system, then free two pages: room for b.conf's rewrite
	// (one page), not for a.conf's (six).
	filler := filepath.Join(mnt, "filler")
	fill(t, filler)
	if st, err := os.Stat(filler); err != nil || st.Size() < 8<<10 {
		t.Fatalf("filler: %v", err)
	} else if err := os.Truncate(filler, st.Size()-8<<10); err != nil {
		t.Fatal(err)
	}
	if free := freeBytes(t, mnt); free >= int64(len(big)) || free < 4<<10 {
		t.Fatalf("%d bytes free: the test needs room for b.conf and not for a.conf", free)
	}

	// -j 1: a.conf is written first and fails; its temp file is removed,
	// so b.conf's rewrite fits in what is left.
	cmd := exec.Command(wsgifixBinary(t), "fix", "--only", "name-virtual-host", "-j", "1",
		filepath.Join(mnt, "a.conf"), filepath.Join(mnt, "b.conf"), outside)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitError {
		t.Fatalf("wsgifix fix: %v, want exit %d\n%s", err, exitError, stderr.String())
	}
	if want := filepath.Join(mnt, "a.conf") + ": write "; !strings.Contains(stderr.String(), want) ||
		!strings.Contains(stderr.String(), "no space left on device") {
		t.Errorf("stderr does not name %q and ENOSPC:\n%s", want, stderr.String())
	}
	wantFile(t, filepath.Join(mnt, "a.conf"), big)
	wantFile(t, filepath.Join(mnt, "b.conf"), nvhFixed)
	wantFile(t, filepath.Join(mnt, "b.conf.wsgifix-bak"), nvhBroken)
	wantFile(t, outside, nvhFixed)
	wantDir(t, mnt, "a.conf", "b.conf", "b.conf.wsgifix-bak", "filler")
}

// mountTmpfs mounts a tmpfs of the given size on a temp directory for the
// test; it skips when that is impossible, except under CI=true.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	mnt, err := tryTmpfs(t, size)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must run this test: %v", err)
		}
		t.Skipf("skipped: %v", err)
	}
	return mnt
}

// tryTmpfs mounts a tmpfs on a new temp directory, unmounted when the
// test ends.
func tryTmpfs(t *testing.T, size string) (string, error) {
	t.Helper()
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Getuid() != 0 {
		return "", errors.New("mounting a tmpfs needs root")
	}
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size="+size+",mode=0755"); err != nil {
		return "", fmt.Errorf("mount -t tmpfs -o size=%s tmpfs %s: %v", size, mnt, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(mnt, 0); err != nil {
			t.Errorf("umount %s: %v", mnt, err)
		}
	})
	return mnt, nil
}

// fill writes to path until the file system is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, 4096)
	for {
		if _, err := f.Write(page); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return
			}
			t.Fatal(err)
		}
	}
}

func freeBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * st.Bsize
}

func writeFiles(t *testing.T, files map[string]string) {
	t.Helper()
	for name, content := range files {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// wsgifixBinary is the command as a separate process: TestMain (testscript)
// puts a copy of this test binary on PATH that runs main's run().
func wsgifixBinary(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("wsgifix")
	if err != nil {
		t.Fatalf("wsgifix not on PATH (TestMain installs it): %v", err)
	}
	return p
}
