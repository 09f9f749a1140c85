package rewrite

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/hashicorp/go-multierror"
	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/fixes"
)

// StdinPath is the PATH that means standard input, and StdinName the name
// its findings and diff carry.
const (
	StdinPath = "-"
	StdinName = "<stdin>"
)

// Options configure a run. The zero value runs no passes; start from
// DefaultOptions.
type Options struct {
	// Passes run in the order given (fixes.Select gives registry order).
	Passes []*fixes.Pass
	// Fix holds the passes' policies (fixes.DefaultOptions()).
	Fix fixes.Options
	// Include follows Include and IncludeOptional from each PATH as httpd
	// does, instead of taking only the files named.
	Include bool
	// ServerRoot resolves relative Include paths when the configuration has
	// no ServerRoot directive; "" means the main config's directory.
	ServerRoot string
	// Jobs bounds parallel parsing, diffing and writing; <= 0 means
	// runtime.NumCPU().
	Jobs int
	// Stdin is read for the PATH "-".
	Stdin io.Reader
	// FS is the file system; nil means OSFS.
	FS FS
	// LookupEnv resolves ${VAR} in include paths after Define; nil means
	// os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// Progress, if set, is called (from several goroutines) as files are
	// loaded and diffed.
	Progress func(done, total int)
	// Loaded, if set, is called once the files are read and parsed, before
	// the passes run, with the total size of their text: the command sizes
	// its garbage collector from it.
	Loaded func(bytes int64)
	// Split, if set, is called when the run's only file is cut into parts
	// that are parsed, fixed and printed one at a time (fixes.RunParts):
	// from then on the run keeps little but its results, and the command
	// lets its garbage collector run as usual.
	Split func()
	// PartProgress, if set, is called (from the goroutines fixing them) as
	// the parts of a file fixed in parts are done (see Split).
	PartProgress func(done, total int)
	// StreamDiff leaves File.Diff empty: each changed file keeps only its
	// edit script, and File.WriteDiff renders the diff straight into a
	// writer. A big config's diff is tens of megabytes that then never
	// exist as one string (the command prints diffs this way).
	StreamDiff bool
	// SkipDiff makes no diffs at all (File.Diff stays empty), for callers
	// that print none: aligning a big file's lines is a tenth of its run.
	// WriteDiff still works, computing the diff when called. DiffOut, if
	// set, wins.
	SkipDiff bool
	// DiffOut, if set, receives the diffs: Run writes each changed file's
	// diff there, in file order, instead of keeping it (File.Diff stays
	// empty and WriteDiff writes nothing). A big file fixed in parts has
	// its diff written while its parts are fixed and keeps no fixed text
	// (File.After is nil), so that neither is ever held whole; such a
	// Result cannot be written (Write refuses). Run does not check
	// DiffOut's errors (a bufio.Writer keeps the first for its owner), and
	// a run that fails has written what it wrote.
	DiffOut io.Writer
	// FindingsOut, if set, receives the findings of a file fixed in parts
	// (see Split), one per line as fixes.Finding.String gives them, as
	// its parts are fixed: they are never held whole, and the file's
	// Findings and the Result's hold none of them (UnfixedErrors still
	// counts them). Other files' findings are kept as usual, and so are a
	// file's whose Include lines gave findings of their own: those would
	// have to be sorted in. Errors are FindingsOut's owner's, as DiffOut's.
	FindingsOut io.Writer
	// Printed, if set, is called once every tree is printed and dropped,
	// before the diffs are made: the trees are then garbage, and the
	// command collects them there. A run that printed no tree there (its
	// one file fixed in parts) does not call it.
	Printed func()
}

// DefaultOptions runs the default passes with the default policies.
func DefaultOptions() Options {
	passes, _ := fixes.Select(nil, nil, nil)
	return Options{Passes: passes, Fix: fixes.DefaultOptions()}
}

// File is the outcome for one file of a run.
type File struct {
	// Path names the file as given on the command line or as an Include
	// resolved it; findings and diff headers use it. StdinName for "-".
	Path string
	// Real is the file that gets written: Path with symlinks resolved.
	Real string
	// Stdin marks the file read from standard input (never written).
	Stdin bool
	// Before and After are the file's bytes before and after the passes.
	Before, After []byte
	// Changed reports After != Before.
	Changed bool
	// Findings are the findings in this file, by position; findings at one
	// position in pass order (those of Include lines first).
	Findings []fixes.Finding
	// Diff is the unified diff Before → After ("" when unchanged, and
	// always with Options.StreamDiff or DiffOut: see WriteDiff).
	Diff string
	// Backup is the backup written by Write ("" when none).
	Backup string
	// Written reports that Write replaced the file on disk.
	Written bool
	// Err is why the file could not be read, parsed, resolved or written.
	// A file with an error is never written.
	Err error

	tree        *ast.File
	unparsed    bool // read, and left for Result.fix to parse
	ops         []op // the diff's edit script, when a file fixed in parts has it
	diffWritten bool // to Options.DiffOut
	unfixedOut  int  // unfixed errors among the findings written to Options.FindingsOut
	snap        snapshot
}

// Result is the outcome of a run: every file in httpd's load order.
type Result struct {
	Files []*File
	// Findings are all findings of the run, file by file in load order,
	// each file's as File.Findings.
	Findings []fixes.Finding

	opts Options
}

// Changed reports whether any file without an error would change.
func (r *Result) Changed() bool {
	for _, f := range r.Files {
		if f.Changed && f.Err == nil {
			return true
		}
	}
	return false
}

// UnfixedErrors counts error-severity findings that no pass fixed.
func (r *Result) UnfixedErrors() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == fixes.Error && !f.Fixed {
			n++
		}
	}
	for _, f := range r.Files {
		n += f.unfixedOut
	}
	return n
}

// Err returns the per-file errors of the run as one *multierror.Error, in
// file order, or nil.
func (r *Result) Err() error {
	var errs *multierror.Error
	for _, f := range r.Files {
		if f.Err != nil {
			errs = multierror.Append(errs, f.Err)
		}
	}
	return listErrors(errs)
}

// listErrors formats a multierror as one error per line, each already
// naming its file.
func listErrors(errs *multierror.Error) error {
	if errs == nil {
		return nil
	}
	errs.ErrorFormat = func(list []error) string {
		s := make([]string, len(list))
		for i, e := range list {
			s[i] = e.Error()
		}
		return strings.Join(s, "\n")
	}
	return errs.ErrorOrNil()
}

// Run loads the files named by paths (files, directories, "-" for stdin;
// with Include, main configs whose includes are followed), runs the passes
// over all of them at once as one server, and returns each file's before,
// after, findings and diff. Nothing is written; see Result.Write.
//
// The error is for the run as a whole (bad options, a pass that panicked);
// a file that cannot be read or parsed gets File.Err and the others go on.
func Run(ctx context.Context, opts Options, paths []string) (*Result, error) {
	if err := opts.Fix.Validate(); err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, errors.New("no PATH given")
	}
	if opts.FS == nil {
		opts.FS = OSFS{}
	}
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	stdin := 0
	for _, p := range paths {
		if p == StdinPath {
			stdin++
		}
	}
	if stdin > 1 {
		return nil, errors.New(`"-" (standard input) given more than once`)
	}
	r := &Result{opts: opts}
	l := &loader{opts: opts, seen: map[string]bool{}}
	if opts.Include {
		r.Files, r.Findings = l.loadIncludes(ctx, paths)
	} else {
		r.Files = l.loadPaths(ctx, paths)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var size int64
	for _, f := range r.Files {
		if f.tree != nil || f.unparsed {
			size += int64(len(f.Before))
		}
	}
	if opts.Loaded != nil {
		opts.Loaded(size)
	}
	found, err := r.fix(opts)
	if err != nil {
		return nil, err
	}
	if len(r.Findings) == 0 {
		r.Findings = found // no copy: a big run has a hundred thousand
	} else { // the Include lines' findings, sorted in
		r.Findings = inFileOrder(append(r.Findings, found...), r.Files)
	}
	r.finish()
	return r, ctx.Err()
}

// fix runs the passes over the files' trees as one server. A run of one
// big file fixes it part by part when it can (see fixInParts); its file
// is then never parsed whole, as the loader leaves it unparsed (but with
// --include, which reads the tree for Include lines).
func (r *Result) fix(opts Options) ([]fixes.Finding, error) {
	var trees []*ast.File
	for _, f := range r.Files {
		if len(r.Files) == 1 && (f.unparsed || f.tree != nil) {
			if found, ok, err := r.fixInParts(f, opts); ok {
				return found, err
			}
		}
		if f.unparsed {
			f.parse()
		}
		if f.tree != nil {
			trees = append(trees, f.tree)
		}
	}
	run := fixes.NewRunner(trees, opts.Fix)
	for _, p := range opts.Passes {
		if err := run.RunSafe(p); err != nil {
			return nil, passError(err)
		}
	}
	return run.Findings(), nil
}

// passError words a pass's panic for the user; other errors (a part that
// could not be fixed) stop the run as they are.
func passError(err error) error {
	var pe *fixes.PanicError
	if errors.As(err, &pe) {
		return fmt.Errorf("internal error in pass %q: %v (nothing written)", pe.Pass, pe.Value)
	}
	if err != nil {
		return fmt.Errorf("%w (nothing written)", err)
	}
	return nil
}

// finish prints the trees, renders diffs and hands findings to their files.
// Every tree is printed before the first diff is made, so that the trees'
// memory (most of a run's) can be reused for the diffs (see Printed).
func (r *Result) finish() {
	r.handOutFindings()
	var printed atomic.Bool
	forEach(len(r.Files), r.opts.Jobs, nil, func(i int) {
		f := r.Files[i]
		switch {
		case f.diffWritten: // fixed in parts, its diff already written
			return
		case f.tree != nil:
			f.After = ast.Print(f.tree)
			f.tree = nil
			printed.Store(true)
		case f.After == nil: // not parsed, so nothing to fix
			f.After = f.Before
			return
		}
		f.Changed = string(f.After) != string(f.Before)
	})
	// A file fixed in parts has no tree left by now: collecting would
	// only rescan what the run keeps.
	if r.opts.Printed != nil && printed.Load() {
		r.opts.Printed()
	}
	stream := r.opts.StreamDiff || r.opts.DiffOut != nil
	forEach(len(r.Files), r.opts.Jobs, r.opts.Progress, func(i int) {
		f := r.Files[i]
		switch {
		case f.diffWritten:
		case !f.Changed || f.Err != nil || (r.opts.SkipDiff && r.opts.DiffOut == nil):
			f.ops = nil
		case stream:
			if !fits(f.ops, lineCount(f.Before), lineCount(f.After)) {
				f.ops = alignText(f.Before, f.After)
			}
		default:
			f.Diff = diffAligned(f.Path, f.Before, f.After, f.ops)
			f.ops = nil
		}
	})
	if r.opts.DiffOut == nil {
		return
	}
	for _, f := range r.Files {
		if !f.diffWritten && f.ops != nil {
			writeDiff(r.opts.DiffOut, f.Path, f.Before, f.After, f.ops)
			f.ops, f.diffWritten = nil, true
		}
	}
}

// WriteDiff writes the file's unified diff (see Diff) to w: File.Diff
// when it was rendered, else rendered hunk by hunk into w from the edit
// script that Options.StreamDiff keeps. It writes nothing for a file
// that is unchanged or has an error, or whose diff went to
// Options.DiffOut.
func (f *File) WriteDiff(w io.Writer) error {
	switch {
	case !f.Changed || f.Err != nil || f.diffWritten:
		return nil
	case f.Diff != "":
		_, err := io.WriteString(w, f.Diff)
		return err
	case f.ops != nil:
		return writeDiff(w, f.Path, f.Before, f.After, f.ops)
	}
	// Made with SkipDiff: aligned now, and still streamed, not held.
	return writeDiff(w, f.Path, f.Before, f.After, alignText(f.Before, f.After))
}

// handOutFindings gives each file its findings, in order. When they
// all belong to one file (a single big config) that file shares the run's
// slice instead of a copy.
func (r *Result) handOutFindings() {
	byName := make(map[string]*File, len(r.Files))
	for _, f := range r.Files {
		byName[f.Path] = f
	}
	if n := len(r.Findings); n > 0 {
		if f := byName[r.Findings[0].File]; f != nil && allIn(r.Findings, f.Path) {
			f.Findings = r.Findings[:n:n]
			return
		}
	}
	// Counted first so that each file's slice is allocated once.
	count := make(map[*File]int, len(r.Files))
	for _, fd := range r.Findings {
		if f := byName[fd.File]; f != nil {
			count[f]++
		}
	}
	for _, fd := range r.Findings {
		if f := byName[fd.File]; f != nil {
			if f.Findings == nil {
				f.Findings = make([]fixes.Finding, 0, count[f])
			}
			f.Findings = append(f.Findings, fd)
		}
	}
}

// inFileOrder returns found file by file in the order of files, each
// file's by position, keeping the order of those at one position.
func inFileOrder(found []fixes.Finding, files []*File) []fixes.Finding {
	index := make(map[string]int, len(files))
	for i, f := range files {
		index[f.Path] = i
	}
	out := slices.Clone(found)
	slices.SortStableFunc(out, func(a, b fixes.Finding) int {
		return cmp.Or(cmp.Compare(index[a.File], index[b.File]),
			cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
	})
	return out
}

func allIn(found []fixes.Finding, path string) bool {
	for _, fd := range found {
		if fd.File != path {
			return false
		}
	}
	return true
}

// snapshot is what was on disk when a file was read, for the lost-update
// check before writing.
type snapshot struct {
	info fs.FileInfo
}
