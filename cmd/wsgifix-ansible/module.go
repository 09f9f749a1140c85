package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/wsgifix/wsgifix/fixes"
	"github.com/wsgifix/wsgifix/rewrite"
)

// execute runs the passes over the paths as one server and, unless in
// check mode, writes the changed files. A file that cannot be read, parsed
// or written fails the task with its name and cause; the other files are
// still fixed, as `wsgifix fix` does.
func execute(a moduleArgs) result {
	ctx := context.Background()
	passes, err := fixes.Select(a.Only, a.Skip, a.Enable)
	if err != nil {
		return failure("%v", err)
	}
	opts := rewrite.DefaultOptions()
	opts.Passes = passes
	opts.Fix = a.Fix
	opts.Include, opts.ServerRoot = a.Include, a.ServerRoot
	// One goroutine: hosts hold a handful of files, and a panic anywhere
	// in the engine then reaches runWith's recover instead of killing the
	// process with a trace on stderr.
	opts.Jobs = 1
	run, err := rewrite.Run(ctx, opts, a.Paths)
	if err != nil {
		return failure("%v", err)
	}
	out := result{Findings: findingsOf(run.Findings), Warnings: unfixedErrors(run.Findings)}
	if len(run.Files) == 0 {
		// Not an error (an empty conf.d is fine), but a mistyped path across
		// a fleet should not pass unnoticed.
		out.Warnings = append(out.Warnings, fmt.Sprintf("no *.conf files in %s", strings.Join(a.Paths, ", ")))
	}
	errs := []error{run.Err()} // read and parse errors, before any write
	if !a.CheckMode {
		wopts := rewrite.WriteOptions{Backup: a.Backup, Jobs: 1}
		if a.Verify {
			wopts.Verify = a.Apachectl
		}
		errs = append(errs, run.Write(ctx, wopts))
	}
	for _, f := range run.Files {
		if !done(f, a.CheckMode) {
			continue
		}
		out.Files = append(out.Files, f.Path)
		if f.Backup != "" {
			out.BackupFiles = append(out.BackupFiles, f.Backup)
		}
		if a.Diff {
			out.Diff = append(out.Diff, diffEntry{
				Before: string(f.Before), After: string(f.After),
				BeforeHeader: f.Path, AfterHeader: f.Path,
			})
		}
	}
	out.Changed = len(out.Files) > 0
	if err := errors.Join(errs...); err != nil {
		out.Failed = true
		out.Msg = err.Error()
		return out
	}
	out.Msg = summary(run, len(out.Files), a.CheckMode)
	return out
}

// done reports whether f is a file the task changed: written, or in check
// mode one that would be.
func done(f *rewrite.File, checkMode bool) bool {
	if checkMode {
		return f.Changed && f.Err == nil && !f.Stdin
	}
	return f.Written
}

// summary is the one-line msg of a successful run.
func summary(run *rewrite.Result, changed int, checkMode bool) string {
	fixed := 0
	for _, f := range run.Findings {
		if f.Fixed {
			fixed++
		}
	}
	verb := "changed"
	if checkMode {
		verb = "would change"
	}
	msg := fmt.Sprintf("%s %d of %s; %s, %d fixed", verb, changed, count(len(run.Files), "file"), count(len(run.Findings), "finding"), fixed)
	if n := run.UnfixedErrors(); n > 0 {
		msg += fmt.Sprintf("; %s left to fix by hand (see warnings)", count(n, "error"))
	}
	return msg
}

// count is "1 file", "2 files".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func findingsOf(list []fixes.Finding) []finding {
	out := make([]finding, len(list))
	for i, f := range list {
		out[i] = finding{
			File: f.File, Line: f.Pos.Line, Col: f.Pos.Col, Pass: f.Pass,
			Severity: f.Severity.String(), Message: f.Message, Fixed: f.Fixed,
		}
	}
	return out
}

// unfixedErrors are the error findings no pass could fix: Ansible prints
// warnings in the play output, where an operator sees them.
func unfixedErrors(list []fixes.Finding) []string {
	var out []string
	for _, f := range list {
		if f.Severity == fixes.Error && !f.Fixed {
			out = append(out, strings.TrimSpace(f.String())+" (not fixed)")
		}
	}
	return out
}
