// Package debiantest gives tests Debian's stock /etc/apache2, which
// .ci/run installs: under CI=true a missing tree fails the test, elsewhere
// it skips it.
package debiantest

import (
	"os"
	"os/exec"
	"testing"
)

// Dir is where Debian keeps its httpd configuration.
const Dir = "/etc/apache2"

// Require fails the test under CI when Debian's tree is missing, and skips
// it otherwise.
func Require(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(Dir + "/apache2.conf"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing (%v): .ci/run installs apache2", Dir, err)
		}
		t.Skipf("%s not installed", Dir)
	}
}

// Copy copies Debian's tree (links and modes kept) into a temporary
// directory and returns that directory, which holds "apache2".
func Copy(t testing.TB) string {
	t.Helper()
	Require(t)
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-a", Dir, dir).CombinedOutput(); err != nil {
		t.Fatalf("cp -a %s: %v\n%s", Dir, err, out)
	}
	return dir
}
