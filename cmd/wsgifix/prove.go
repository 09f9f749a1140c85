package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/wsgifix/wsgifix/fixes"
	"github.com/wsgifix/wsgifix/rewrite"
)

// proveHelp is what diff --help says of --prove.
const proveHelp = `With --prove the files are served before and after the rewrite by real
apache2 (with mod_wsgi) on 127.0.0.1 only, in a scratch tree that stands in
for every path they name, and asked the same requests: each URL the
configuration names, one below it and one beside it, anonymous and with
Basic credentials, over HTTP or HTTPS as the vhost serves it, from the
client addresses its rules name. A table of the statuses goes to stderr,
beside the verdicts of wsgifix's own model of httpd's access checks. The
exit code is then the proof's: 1 when an access decision changed that no
finding declares ("access changes for URL"), else 0; 2 on an error. It
needs apache2 and libapache2-mod-wsgi-py3.`

// prove serves res before and after with real httpd and prints the table
// to w. It returns the exit code: exitPending when an access decision
// changed that no finding of the run declares.
//
// An original that httpd refuses (the corpus's broken examples) has no
// access decisions to keep. Then the baseline is the text after the
// fewest passes, in run order, that apache2 -t accepts (section-tags,
// empty-servername, duplicate-daemon... repair what it refuses), and the
// rest of the rewrite is proved against it.
func (a *app) prove(ctx context.Context, res *rewrite.Result, opts rewrite.Options, paths []string, w io.Writer) (int, error) {
	bin, err := rewrite.FindHTTPD()
	if err != nil {
		return exitError, err
	}
	// An interrupt must stop httpd and remove the scratch tree, not
	// leave them behind: Prove does both when its context ends.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	files := make([]rewrite.ProveFile, 0, len(res.Files))
	for _, f := range res.Files {
		if f.Err != nil {
			return exitError, fmt.Errorf("--prove: %s cannot be served: %v", f.Path, f.Err)
		}
		if f.After == nil { // never: --prove keeps every fixed text
			return exitError, fmt.Errorf("--prove: %s: the fixed text was not kept", f.Path)
		}
		files = append(files, rewrite.ProveFile{Name: f.Path, Before: f.Before, After: f.After})
	}
	fmt.Fprintf(w, "wsgifix: --prove: serving the files before and after with %s on 127.0.0.1\n", bin)
	rows, err := rewrite.Prove(ctx, files, res.Findings)
	var ce *rewrite.ConfigtestError
	if errors.As(err, &ce) && ce.Side == "before" {
		fmt.Fprintf(w, "wsgifix: --prove: httpd refuses the original, so it has no access decisions to keep:\n%s", indent(ce.Output))
		for k := 1; k < len(opts.Passes) && errors.As(err, &ce) && ce.Side == "before"; k++ {
			var base []rewrite.ProveFile
			if base, err = a.baseline(ctx, res, opts, paths, k); err != nil {
				return exitError, fmt.Errorf("--prove: %w", err)
			}
			rows, err = rewrite.Prove(ctx, base, res.Findings)
			if err == nil {
				fmt.Fprintf(w, "wsgifix: --prove: apache2 -t accepts the text after %s: the rest of the rewrite is proved against it\n", fixes.Names(opts.Passes[:k]))
			}
		}
		if errors.As(err, &ce) && ce.Side == "before" {
			fmt.Fprintln(w, "wsgifix: --prove: apache2 -t accepts no text before the whole rewrite's: nothing to compare")
			return exitClean, nil
		}
	}
	if err != nil {
		return exitError, fmt.Errorf("--prove: %w", err)
	}
	return writeProof(w, rows), nil
}

// baseline runs the first k passes over the files of res: their texts
// then are the "before" of the proof, res's fixed texts the "after".
func (a *app) baseline(ctx context.Context, res *rewrite.Result, opts rewrite.Options, paths []string, k int) ([]rewrite.ProveFile, error) {
	o := rewrite.Options{
		Passes: opts.Passes[:k], Fix: opts.Fix, Include: opts.Include, ServerRoot: opts.ServerRoot,
		Jobs: opts.Jobs, FS: opts.FS, LookupEnv: opts.LookupEnv, SkipDiff: true,
	}
	after := map[string][]byte{}
	for _, f := range res.Files {
		after[f.Path] = f.After
		if f.Stdin { // read once already
			o.Stdin = bytes.NewReader(f.Before)
		}
	}
	part, err := rewrite.Run(ctx, o, paths)
	if err != nil {
		return nil, err
	}
	if err := part.Err(); err != nil {
		return nil, err
	}
	out := make([]rewrite.ProveFile, 0, len(part.Files))
	for _, f := range part.Files {
		b, ok := after[f.Path]
		if !ok || len(part.Files) != len(res.Files) {
			return nil, fmt.Errorf("the first %d passes load other files than the whole run", k)
		}
		out = append(out, rewrite.ProveFile{Name: f.Path, Before: f.After, After: b})
	}
	return out, nil
}

// writeProof prints rows, one table per server context, and a last line
// that says whether the rewrite kept every decision; it returns the exit
// code.
func writeProof(w io.Writer, rows []rewrite.ProveRow) int {
	var contexts []string
	byContext := map[string][]rewrite.ProveRow{}
	for _, r := range rows {
		if _, ok := byContext[r.Context]; !ok {
			contexts = append(contexts, r.Context)
		}
		byContext[r.Context] = append(byContext[r.Context], r)
	}
	undeclared, declared, disagree := 0, 0, 0
	for _, name := range contexts {
		fmt.Fprintf(w, "\nunder %s:\n", name)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  REQUEST\tBEFORE\tAFTER\tMODEL\t")
		for _, r := range byContext[name] {
			var notes []string
			switch {
			case r.Changed() && r.Declared:
				declared++
				notes = append(notes, "changed, as a finding declares")
			case r.Changed():
				undeclared++
				notes = append(notes, "CHANGED, and no finding declares it")
			}
			switch {
			case r.ModelDisagrees():
				disagree++
				notes = append(notes, fmt.Sprintf("the model says %v before, httpd %v (a model bug: please report it)", r.Model, fixes.VerdictOf(r.Before)))
			case r.ModelAfterDisagrees():
				disagree++
				notes = append(notes, fmt.Sprintf("the model says %v after, httpd %v (a model bug: please report it)", r.ModelAfter, fixes.VerdictOf(r.After)))
			}
			model := r.Model.String()
			if r.ModelAfter != fixes.Unknown && r.ModelAfter != r.Model {
				model += " -> " + r.ModelAfter.String()
			}
			req := r.Request.String()
			if r.Request.Addr == "" {
				req += " [main server]"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", req, status(r.Before), status(r.After), model, strings.Join(notes, "; "))
		}
		tw.Flush()
	}
	fmt.Fprintln(w)
	if disagree > 0 {
		fmt.Fprintf(w, "wsgifix: --prove: the model and httpd disagree on %s (this does not change the exit code)\n", plural(disagree, "request"))
	}
	if undeclared > 0 {
		fmt.Fprintf(w, "wsgifix: --prove: the rewrite changes the access decision for %s that no finding declares\n", plural(undeclared, "request"))
		return exitPending
	}
	fmt.Fprintf(w, "wsgifix: --prove: every access decision of %s is kept", plural(len(rows), "request"))
	if declared > 0 {
		fmt.Fprintf(w, ", but %d changed as findings declare", declared)
	}
	fmt.Fprintln(w)
	return exitClean
}

// status is an HTTP status for the table, "-" for none.
func status(s int) string {
	if s == 0 {
		return "-"
	}
	return strconv.Itoa(s)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// indent puts two spaces before every line of s, which then ends in a
// newline.
func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	return "  " + strings.ReplaceAll(s, "\n", "\n  ") + "\n"
}
