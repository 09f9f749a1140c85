package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// unwritableConf creates a configuration file holding data in a new
// directory under parent that even root cannot replace, and returns its
// path and how it was made unwritable.
//
// Tests run as root here, and root ignores permission bits (chmod 0555 on
// the directory stops nobody), so the file system has to refuse:
//
//   - first choice, the immutable attribute on the directory (chattr +i):
//     no entry can be created, renamed or linked there, whoever asks. It
//     needs CAP_LINUX_IMMUTABLE and a file system with the attribute
//     (ext4, xfs, btrfs), which a container may lack; the attribute is
//     checked to really stop a write before it is relied on.
//   - otherwise, a 250-byte file name: the backup FILE.wsgifix-bak is then
//     262 bytes, over the kernel's 255-byte NAME_MAX on every Linux file
//     system, so the write fails with ENAMETOOLONG before the file is
//     touched. This needs backups on, which is the module's default.
//
// The attribute is cleared when the test ends so the temp dir can go.
func unwritableConf(t *testing.T, parent string, data []byte) (path, how string) {
	t.Helper()
	dir := filepath.Join(parent, "readonly")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, "site.conf")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if immutable(t, dir) {
		return path, "immutable directory (chattr +i)"
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, strings.Repeat("x", 250-len(".conf"))+".conf")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(path, path+".wsgifix-bak"); !errors.Is(err, syscall.ENAMETOOLONG) {
		t.Fatalf("link to a 262-byte name: got %v, want ENAMETOOLONG", err)
	}
	return path, "backup name over NAME_MAX"
}

// immutable sets the immutable attribute on dir and reports whether it
// now really refuses a new entry; it is cleared when the test ends.
func immutable(t *testing.T, dir string) bool {
	t.Helper()
	chattr, err := exec.LookPath("chattr")
	if err != nil {
		t.Logf("no chattr (%v); using a file name too long for its backup", err)
		return false
	}
	if out, err := exec.Command(chattr, "+i", dir).CombinedOutput(); err != nil {
		t.Logf("chattr +i unavailable here (%v: %s); using a file name too long for its backup", err, strings.TrimSpace(string(out)))
		return false
	}
	t.Cleanup(func() {
		if out, err := exec.Command(chattr, "-i", dir).CombinedOutput(); err != nil {
			t.Errorf("chattr -i %s: %v: %s", dir, err, out)
		}
	})
	if err := os.WriteFile(filepath.Join(dir, "probe"), nil, 0o644); err == nil {
		t.Fatalf("chattr +i %s did not stop a write by uid %d", dir, os.Geteuid())
	}
	return true
}
