package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/wsgifix/wsgifix/fixes"
	"github.com/wsgifix/wsgifix/rewrite"
)

// mode is which of diff, fix and check runs.
type mode int

const (
	modeDiff mode = iota
	modeFix
	modeCheck
)

func (m mode) String() string { return [...]string{"diff", "fix", "check"}[m] }

var modeHelp = [...]struct{ short, long string }{
	modeDiff: {"Dry run: print a unified diff of the fixes on stdout",
		`Print what fix would change as a unified diff that 'patch -p0' and
'git apply -p0' apply from the current directory. Findings go to stderr so
the diff stays a clean patch. Exit 1 when changes are pending.`},
	modeFix: {"Rewrite the files in place, keeping backups",
		`Rewrite the files in place: each through a temp file in its own directory,
with mode and owner kept, symlinks followed and kept, unchanged files not
touched. The original is kept as FILE.wsgifix-bak (never overwritten: .1,
.2... are added) unless --no-backup. With --verify the configtest command
runs afterwards and every file is restored if it fails. 'fix -' reads
standard input and writes the fixed text to standard output. Exit 1 when
error findings are left that could not be fixed.`},
	modeCheck: {"Print findings only (for CI)",
		`Print one line per finding, "file:line:col: [pass] message", on stdout.
Exit 1 when changes are pending or error findings are left unfixed, so a CI
job fails until the configuration is fixed.`},
}

func (a *app) processCommand(m mode) *cobra.Command {
	o := &options{}
	long := modeHelp[m].long
	if m == modeDiff {
		long += "\n\n" + proveHelp
	}
	c := &cobra.Command{
		Use:   m.String() + " [flags] PATH...",
		Short: modeHelp[m].short,
		Long: long + `

PATH is a file, a directory (every *.conf below it, one server) or - for
standard input. All PATHs of one invocation are one server: daemon names,
ServerNames and mounts are resolved across files. With --include each PATH
is a main config whose Include/IncludeOptional directives are followed.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, paths []string) error {
			return a.process(c.Context(), m, o, paths)
		},
	}
	o.bind(c, m)
	return c
}

// process runs one diff, fix or check and reports it.
func (a *app) process(ctx context.Context, m mode, o *options, paths []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := o.validate(); err != nil {
		return err
	}
	passes, err := fixes.Select(o.only, o.skip, o.enable)
	if err != nil {
		return err
	}
	gc, restoreGC := holdGC()
	defer restoreGC()
	prog := a.startProgress()
	growPipe(a.stdout)
	growPipe(a.stderr)
	out := newStreams(a.stdout, a.stderr)
	// When the diffs and the findings go to different files, the diffs
	// are written as they are made: a big config's diff is written while
	// its parts are fixed, and neither it nor the fixed text is ever held.
	// A terminal (or 2>&1) gets each file's findings before its diff.
	var diffOut *colorWriter
	// --prove serves every fixed text, so none may be dropped as its diff
	// is written.
	if m == modeDiff && o.format != "json" && !sameFile(a.stdout, a.stderr) && !o.prove {
		diffOut = &colorWriter{w: out.out, plain: !useColor(a.stdout)}
	}
	ropts := rewrite.Options{
		Passes:       passes,
		Fix:          o.fix,
		Include:      o.include,
		ServerRoot:   o.serverRoot,
		Jobs:         o.jobs,
		Stdin:        a.stdin,
		FS:           a.fsys,
		Progress:     prog.phase("reading", "files"),
		Loaded:       gc.loaded,
		Split:        gc.split,
		PartProgress: both(gc.partDone, prog.phase("fixing", "parts")),
		Printed:      gc.printed,
		StreamDiff:   o.format != "json",
		SkipDiff:     m != modeDiff && o.format != "json", // fix and check print none
		DiffOut:      diffOutOrNil(diffOut),
		FindingsOut:  a.findingsOut(m, o, out),
	}
	res, err := rewrite.Run(ctx, ropts, paths)
	if err != nil {
		prog.stop()
		if o.format == "json" {
			if werr := a.writeJSON(m, nil, err); werr != nil {
				return stdoutError(werr)
			}
			return exitStatus(exitError)
		}
		return err
	}
	var writeErr error
	if m == modeFix {
		verify := ""
		if o.verify {
			verify = o.apachectl
		}
		writeErr = res.Write(ctx, rewrite.WriteOptions{
			Backup:   !o.noBackup,
			Verify:   verify,
			Jobs:     o.jobs,
			Progress: prog.phase("writing", "files"),
		})
	}
	prog.stop()
	var outErr error
	if o.format == "json" {
		outErr = a.writeJSON(m, res, writeErr)
	} else {
		if diffOut != nil {
			diffOut.flush()
		}
		outErr = a.writeText(m, res, writeErr, out, diffOut != nil)
	}
	if outErr != nil {
		return stdoutError(outErr)
	}
	code := exitCode(m, res, writeErr)
	if o.prove && code != exitError {
		code, err = a.prove(ctx, res, ropts, paths, a.stderr)
		if err != nil {
			fmt.Fprintf(a.stderr, "wsgifix: %v\n", err)
		}
	}
	return exitStatus(code)
}

// findingsOut is where the findings of a big file fixed in parts are
// written as its parts are done (rewrite.Options.FindingsOut): where
// writeText would put them, and not while progress is shown there.
func (a *app) findingsOut(m mode, o *options, out *streams) io.Writer {
	// --prove reads every finding of the run, for what it declares.
	if o.format == "json" || isTerminal(a.stderr) || o.prove {
		return nil
	}
	if m == modeCheck {
		return writerFunc(func(p []byte) (int, error) { return out.stdout().Write(p) })
	}
	return writerFunc(func(p []byte) (int, error) { return out.stderr().Write(p) })
}

// writerFunc is an io.Writer that calls itself.
type writerFunc func(p []byte) (int, error)

func (w writerFunc) Write(p []byte) (int, error) { return w(p) }

// diffOutOrNil keeps a nil *colorWriter from becoming a non-nil
// io.Writer.
func diffOutOrNil(w *colorWriter) io.Writer {
	if w == nil {
		return nil
	}
	return w
}

// stdoutError is the error for output that could not be written whole.
// With fix the files on disk are already fixed; what was lost is the
// report (or, for fix -, the fixed text).
func stdoutError(err error) error {
	return fmt.Errorf("writing standard output: %w", err)
}

// exitCode: 2 for any error; 1 for pending changes (diff, check) or error
// findings no pass could fix; advice and warnings never count.
func exitCode(m mode, res *rewrite.Result, writeErr error) int {
	if writeErr != nil || res.Err() != nil {
		return exitError
	}
	if res.UnfixedErrors() > 0 || (m != modeFix && res.Changed()) {
		return exitPending
	}
	return exitClean
}

// both returns a callback that calls f and then g, if g is set.
func both(f, g func(done, total int)) func(done, total int) {
	if g == nil {
		return f
	}
	return func(done, total int) { f(done, total); g(done, total) }
}

func usageErrorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
