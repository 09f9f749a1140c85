package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestCheckDebianTreeIsClean follows the installed Debian configuration
// (copied to a temp directory) with every default pass: a valid stock
// configuration has nothing to fix.
func TestCheckDebianTreeIsClean(t *testing.T) {
	if _, err := os.Stat("/etc/apache2/apache2.conf"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI needs the Debian apache2 package: %v", err)
		}
		t.Skip("apache2 not installed")
	}
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-a", "/etc/apache2", dir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	code := run([]string{"check", "--include", "apache2/apache2.conf"}, nil, &stdout, &stderr)
	if code != 0 || stdout.Len() != 0 || stderr.Len() != 0 {
		t.Errorf("check exited %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	// And fix leaves every file alone: no backups anywhere.
	code = run([]string{"fix", "--include", "apache2/apache2.conf"}, nil, &stdout, &stderr)
	if code != 0 {
		t.Errorf("fix exited %d: %s", code, stderr.String())
	}
	baks, _ := filepath.Glob(filepath.Join(dir, "apache2", "*", "*.wsgifix-bak"))
	top, _ := filepath.Glob(filepath.Join(dir, "apache2", "*.wsgifix-bak"))
	if len(baks)+len(top) != 0 {
		t.Errorf("backups written for a clean tree: %v %v", baks, top)
	}
}
