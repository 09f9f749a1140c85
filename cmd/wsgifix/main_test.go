package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/wsgifix/wsgifix/rewrite"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"wsgifix": main,
	})
}

// TestScripts runs testdata/script/*.txtar. Besides testscript's own
// commands, scripts have:
//
//	exits N cmd args...   run cmd and require exit code N exactly
//	[root]                condition: running as root
//	[httpd]               condition: apache2 with mod_wsgi is installed
//	                      (under CI=true its absence fails the script)
//	$EXAMPLES             the repository's testdata/examples
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits": cmdExits,
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "root":
				return os.Getuid() == 0, nil
			case "httpd":
				return haveHTTPD()
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "")
			examples, err := filepath.Abs(filepath.Join("..", "..", "testdata", "examples"))
			env.Setenv("EXAMPLES", examples)
			return err
		},
	})
}

func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N command args...")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// haveHTTPD reports whether --prove can run here; under CI=true it must.
func haveHTTPD() (bool, error) {
	if _, err := rewrite.FindHTTPD(); err != nil {
		if os.Getenv("CI") == "true" {
			return false, fmt.Errorf("CI=true: %v", err)
		}
		return false, nil
	}
	return true, nil
}
