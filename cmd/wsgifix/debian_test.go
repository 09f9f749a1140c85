package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/wsgifix/wsgifix/internal/debiantest"
)

// TestCheckDebianTreeIsClean follows the installed Debian configuration
// (copied to a temp directory) with every default pass: a valid stock
// configuration has nothing to fix.
func TestCheckDebianTreeIsClean(t *testing.T) {
	dir := debiantest.Copy(t)
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
