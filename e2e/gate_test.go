package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// modulesDir is where Debian's apache2 and libapache2-mod-wsgi-py3 put
// their modules.
const modulesDir = "/usr/lib/apache2/modules"

// requireHTTPD returns the apache2 binary, or skips or fails t as the
// WSGIFIX_E2E / CI switch says (see the package doc).
func requireHTTPD(t *testing.T) string {
	t.Helper()
	bin, err := findHTTPD()
	switch gate(os.Getenv("WSGIFIX_E2E"), os.Getenv("CI"), err) {
	case gateOff:
		t.Skip("e2e: WSGIFIX_E2E=0, skipped")
	case gateFail:
		t.Fatalf("e2e: %v (WSGIFIX_E2E=%q CI=%q: the suite must run here)", err, os.Getenv("WSGIFIX_E2E"), os.Getenv("CI"))
	case gateSkip:
		t.Skipf("e2e: skipped, %v (install apache2 and libapache2-mod-wsgi-py3 and run as root, or set WSGIFIX_E2E=1 to make this a failure)", err)
	}
	return bin
}

type gateResult int

const (
	gateRun  gateResult = iota
	gateOff             // switched off
	gateSkip            // something is missing and nobody asked for the suite
	gateFail            // something is missing and the suite was asked for
)

// gate decides from WSGIFIX_E2E, CI and what is missing (nil: nothing).
// Under CI=true or WSGIFIX_E2E=1 a missing httpd is a failure, never a skip.
func gate(e2e, ci string, missing error) gateResult {
	switch {
	case e2e == "0":
		return gateOff
	case missing == nil:
		return gateRun
	case e2e == "1" || ci == "true":
		return gateFail
	}
	return gateSkip
}

// findHTTPD checks that everything the suite needs is there: apache2, the
// modules it loads, and root (httpd must drop to www-data and mod_wsgi's
// daemon runs user=www-data).
func findHTTPD() (string, error) {
	bin, err := exec.LookPath("apache2")
	if err != nil {
		bin = "/usr/sbin/apache2"
		if _, err := os.Stat(bin); err != nil {
			return "", errors.New("apache2 is not installed")
		}
	}
	var missing []string
	for _, m := range append(baseModules, accessCompatModule) {
		if _, err := os.Stat(filepath.Join(modulesDir, m.file)); err != nil {
			missing = append(missing, m.file)
		}
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("missing httpd modules in %s: %s", modulesDir, strings.Join(missing, ", "))
	}
	if os.Geteuid() != 0 {
		return "", errors.New("not running as root (httpd must start as root to switch to www-data)")
	}
	return bin, nil
}
