package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/wsgifix/wsgifix/rewrite"
)

// Exit codes, as gofmt, ruff and prettier use them.
const (
	exitClean   = 0 // nothing pending
	exitPending = 1 // changes pending (diff, check) or error findings left (fix)
	exitError   = 2 // an error: bad usage, or a file that could not be processed
)

// exitStatus is an error that carries an exit code; its message, if any, has
// already been printed.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// app is one invocation: its streams and what it found. No package globals,
// so tests can run many invocations in one process.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// progressDelay: runs shorter than this show no progress.
	progressDelay time.Duration
	// fsys is the file system; nil is the real one. Tests inject faults
	// (ENOSPC, EACCES, a failed rename) through it.
	fsys rewrite.FS
}

// run executes the command line args and returns the exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, progressDelay: time.Second}
	return a.execute(args)
}

func (a *app) execute(args []string) int {
	stdin, stderr := a.stdin, a.stderr
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(a.stdout)
	root.SetErr(stderr)
	err := root.Execute()
	var st exitStatus
	switch {
	case err == nil:
		return exitClean
	case errors.As(err, &st):
		return int(st)
	default:
		fmt.Fprintf(stderr, "wsgifix: %v\n", err)
		return exitError
	}
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "wsgifix",
		Short: "Repair broken Apache httpd + mod_wsgi (web2py) configurations",
		Long: `wsgifix repairs the broken web2py/mod_wsgi examples that circulate in books
and blogs so that httpd starts and the site is served safely, and migrates
access control to httpd 2.4 on the way. It never changes a byte it was not
asked to change.

Exit codes: 0 nothing pending; 1 changes pending or error findings that
no pass can fix (diff, check), error findings left unfixed (fix); advice and
warnings never change it; 2 an error (nothing written for that file).`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		a.processCommand(modeDiff),
		a.processCommand(modeFix),
		a.processCommand(modeCheck),
		a.fixesCommand(),
		a.explainCommand(),
		a.versionCommand(),
	)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%v (see '%s --help')", err, c.CommandPath())
	})
	return root
}
