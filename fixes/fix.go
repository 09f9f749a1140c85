package fixes

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/wsgifix/wsgifix/ast"
)

// Pass is one fix pass: a small value in its own file, in the spirit of Go's
// old cmd/fix. Run reads and edits the trees through the Context and reports
// findings; it does no I/O and is idempotent.
type Pass struct {
	Name    string // kebab-case, unique
	Title   string // one line, a verb phrase
	Doc     string // long description with a before/after example
	Default bool   // on unless skipped; false means opt-in (--enable)
	Run     func(*Context)
}

// Severity says how bad a finding is.
type Severity uint8

const (
	Advice  Severity = iota // sizing and style
	Warning                 // works, but wrong
	Error                   // httpd refuses it, or it is unsafe
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "advice"
}

// MarshalText makes severities read well in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Finding is one thing a pass found, with whether it fixed it.
type Finding struct {
	File     string   `json:"file"`
	Pos      ast.Pos  `json:"-"`
	Line     int      `json:"line"`
	Col      int      `json:"col"`
	Pass     string   `json:"pass"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Fixed    bool     `json:"fixed"`
}

// String is "file:line:col: [pass] message".
func (f Finding) String() string { return string(f.AppendText(nil)) }

// AppendText appends String() to b, for callers that write many findings.
func (f Finding) AppendText(b []byte) []byte {
	b = append(b, f.File...)
	b = append(strconv.AppendInt(append(b, ':'), int64(f.Pos.Line), 10), ':')
	b = append(strconv.AppendInt(b, int64(f.Pos.Col), 10), ": ["...)
	b = append(append(b, f.Pass...), "] "...)
	return append(b, f.Message...)
}

// Options are the policies the passes follow; the zero value is not valid,
// start from DefaultOptions.
type Options struct {
	DaemonScope    string // "vhost" (default) or "global"
	DaemonConflict string // "report" (default), "keep-first" or "rename"
	ServerName     string // fills an empty ServerName when set
	WSGIScript     string // script file name for directory WSGIScriptAlias targets
	Apache         string // "2.4" (default) or "2.2"
}

// DefaultOptions returns the documented defaults.
func DefaultOptions() Options {
	return Options{DaemonScope: "vhost", DaemonConflict: "report", WSGIScript: "wsgihandler.py", Apache: "2.4"}
}

// Validate checks the policy values.
func (o Options) Validate() error {
	check := func(flag, v string, ok ...string) error {
		for _, s := range ok {
			if v == s {
				return nil
			}
		}
		return fmt.Errorf("invalid --%s %q: want %s", flag, v, strings.Join(ok, " or "))
	}
	if err := check("daemon-scope", o.DaemonScope, "vhost", "global"); err != nil {
		return err
	}
	if err := check("daemon-conflict", o.DaemonConflict, "report", "keep-first", "rename"); err != nil {
		return err
	}
	if err := check("apache", o.Apache, "2.4", "2.2"); err != nil {
		return err
	}
	if o.WSGIScript == "" || strings.ContainsAny(o.WSGIScript, "/ \t") {
		return fmt.Errorf("invalid --wsgi-script %q: want a file name", o.WSGIScript)
	}
	if strings.ContainsAny(o.ServerName, " \t\"'<>") {
		return fmt.Errorf("invalid --server-name %q", o.ServerName)
	}
	return nil
}

// Context is what a pass sees: every file of the run, as one server, in
// httpd's load order, and the policies.
type Context struct {
	Files []*ast.File
	Opts  Options

	pass     *Pass
	findings findingList
	texts    *textArena   // holds the findings' messages, when set (RunParts)
	daemons  *daemonIndex // for the current pass, built on first use

	// planned are the location plans static-alias made, by site; plans
	// are the ones location-access, run right after it, carries out
	// instead of planning again (see Runner.Run).
	planned, plans map[*ast.Section][]locationPlan

	// usesLeft is duplicate-daemon's scan of the daemon groups as its
	// edits left it; uses is the same handed to daemon-scope, run right
	// after it, which would otherwise walk every file for it again.
	usesLeft, uses *daemonUse

	// inPart says the run is a part of a file RunParts cut, whose whole
	// text planParts read: it has no typeset character and no misspelled
	// section name, so the passes that look for them need not (FuzzParts
	// holds them to what they do on the whole file).
	inPart bool

	// maker makes the nodes passes add: in the memory of the part being
	// fixed (see RunParts), when the Context is the only one working on it.
	maker ast.Maker
}

// web2pyRoot is Web2pyRoot with the daemon definitions indexed once per
// pass: asking for every vhost of a big run would walk every file each time.
func (c *Context) web2pyRoot(vh *ast.Section) string {
	return web2pyRoot(vh, c.daemonIndex().daemonFor)
}

func (c *Context) daemonIndex() *daemonIndex {
	if c.daemons == nil {
		c.daemons = newDaemonIndex(c.Files)
	}
	return c.daemons
}

// Report records a finding at n's position in file f.
func (c *Context) Report(f *ast.File, pos ast.Pos, sev Severity, fixed bool, format string, args ...any) {
	c.reportMessage(f, pos, sev, fixed, c.message(format, args))
}

// message is sprintf for a finding's message: in the arena that holds
// the findings' messages, when the run has one (RunParts).
func (c *Context) message(format string, args []any) string {
	if c.texts != nil {
		return c.texts.sprintf(format, args)
	}
	return sprintf(format, args...)
}

// reportMessage is Report of a message formatted earlier (passes that
// sort their findings first), which it keeps as it is.
func (c *Context) reportMessage(f *ast.File, pos ast.Pos, sev Severity, fixed bool, msg string) {
	c.findings.add(record{
		msg: msg, file: f.Name, line: pos.Line, col: int32(pos.Col),
		pass: c.pass, sev: sev, fixed: fixed,
	})
}

// record is a Finding as a run keeps it until asked, in about half the
// room (a big run has a hundred thousand of them). It holds no node or
// file: a part's findings outlive its tree (see RunParts).
type record struct {
	msg   string
	file  string
	line  int
	col   int32 // a column past 2 GiB would need a longer line than any read
	sev   Severity
	fixed bool
	pass  *Pass
}

func (r *record) finding() Finding {
	col := int(r.col)
	return Finding{
		File: r.file, Pos: ast.Pos{Line: r.line, Col: col}, Line: r.line, Col: col,
		Pass: r.pass.Name, Severity: r.sev, Message: r.msg, Fixed: r.fixed,
	}
}

// findingList collects findings in chunks and copies them once, into an
// exactly sized slice, when asked: a big run has a hundred thousand
// findings, and a doubling slice would copy them over and over. Chunks
// grow from small (most runs have a few findings) to maxFindingChunk.
type findingList struct {
	chunks [][]record
	n      int
}

const maxFindingChunk = 8192

func (l *findingList) add(f record) {
	if k := len(l.chunks); k == 0 || len(l.chunks[k-1]) == cap(l.chunks[k-1]) {
		size := maxFindingChunk
		if k < 7 { // 64 << 7 == maxFindingChunk; shifting further overflows
			size = 64 << k
		}
		if k > 0 { // a reused first chunk may be big already
			size = max(size, min(2*cap(l.chunks[k-1]), maxFindingChunk))
		}
		l.chunks = append(l.chunks, make([]record, 0, size))
	}
	last := &l.chunks[len(l.chunks)-1]
	*last = append(*last, f)
	l.n++
}

// reuse makes chunk, emptied, l's first chunk, when l is empty and chunk
// has room: a part's records are collected in the memory of the part
// before (see partWork).
func (l *findingList) reuse(chunk []record) {
	if l.n == 0 && cap(chunk) > 0 {
		l.chunks = append(l.chunks[:0], chunk[:0])
	}
}

// firstChunk returns l's biggest chunk, emptied, for reuse once l is
// read.
func (l *findingList) firstChunk() []record {
	if len(l.chunks) == 0 {
		return nil
	}
	biggest := l.chunks[0]
	for _, c := range l.chunks[1:] {
		if cap(c) > cap(biggest) {
			biggest = c
		}
	}
	return biggest[:0]
}

// addAll adds o's findings after l's, taking over o's chunks instead of
// copying them (o must not be used afterwards). A chunk that is not full
// stays so: add starts a new one after it only when the last is full.
func (l *findingList) addAll(o *findingList) {
	for _, chunk := range o.chunks {
		if len(chunk) > 0 {
			l.chunks = append(l.chunks, chunk)
			l.n += len(chunk)
		}
	}
	o.chunks, o.n = nil, 0
}

// inReportOrder returns recs, made by passes over files, as Findings in
// the order a run reports them (see Runner.Findings), in into's memory
// when it has room. Findings at one position keep the order of the
// passes that made them.
func inReportOrder(into []Finding, recs []*record, files []*ast.File) []Finding {
	if len(recs) == 0 {
		return nil
	}
	order := make([]int32, len(recs))
	for i := range order {
		order[i] = int32(i)
	}
	if len(files) < 2 {
		sortByPos(order, recs)
	} else {
		starts := groupByFile(order, recs, files)
		for i := range files {
			sortByPos(order[starts[i]:starts[i+1]], recs)
		}
	}
	out := slices.Grow(into[:0], len(recs))[:len(recs)]
	for i, k := range order {
		out[i] = recs[k].finding()
	}
	return out
}

// sortByPos sorts order, indices into recs, by the records' positions,
// keeping the order of those at one position. It merges the runs that
// are in order already: each pass reports in file order, mostly, so a
// part's findings are a few runs, and its records are never moved.
func sortByPos(order []int32, recs []*record) {
	less := func(a, b int32) bool {
		return recs[a].line < recs[b].line || (recs[a].line == recs[b].line && recs[a].col < recs[b].col)
	}
	bounds := []int{0} // where each run starts, then len(order)
	for i := 1; i < len(order); i++ {
		if less(order[i], order[i-1]) {
			bounds = append(bounds, i)
		}
	}
	if len(bounds) == 1 {
		return
	}
	bounds = append(bounds, len(order))
	src, dst := order, make([]int32, len(order))
	for len(bounds) > 2 { // two runs or more: merge them in pairs
		next := make([]int, 0, len(bounds)/2+2)
		for k := 0; k+1 < len(bounds); k += 2 {
			lo, mid, hi := bounds[k], bounds[k+1], bounds[k+1]
			if k+2 < len(bounds) {
				hi = bounds[k+2]
			}
			mergeRuns(dst[lo:hi], src[lo:mid], src[mid:hi], less)
			next = append(next, lo)
		}
		bounds = append(next, len(order))
		src, dst = dst, src
	}
	copy(order, src)
}

// mergeRuns merges the sorted runs a and b into dst, a's first on ties.
func mergeRuns(dst, a, b []int32, less func(a, b int32) bool) {
	i, j := 0, 0
	for k := range dst {
		if j == len(b) || (i < len(a) && !less(b[j], a[i])) {
			dst[k] = a[i]
			i++
		} else {
			dst[k] = b[j]
			j++
		}
	}
}

// groupByFile puts order, indices into recs, in the order of the files
// the records are in, keeping their order within a file, and returns
// where each file's start (then len(order)).
func groupByFile(order []int32, recs []*record, files []*ast.File) (starts []int) {
	index := make(map[string]int, len(files))
	for i, f := range files {
		index[f.Name] = i
	}
	starts = make([]int, len(files)+1)
	for _, k := range order {
		starts[index[recs[k].file]+1]++
	}
	for i := 1; i < len(starts); i++ {
		starts[i] += starts[i-1]
	}
	next := slices.Clone(starts)
	grouped := make([]int32, len(order))
	for _, k := range order {
		f := index[recs[k].file]
		grouped[next[f]] = k
		next[f]++
	}
	copy(order, grouped)
	return starts
}

// records returns the records in the order they were added: pointers
// into the chunks, a seventh of the bytes of a copy.
func (l *findingList) records() []*record {
	if l.n == 0 {
		return nil
	}
	out := make([]*record, 0, l.n)
	for _, c := range l.chunks {
		for i := range c {
			out = append(out, &c[i])
		}
	}
	return out
}

// FileOf returns the file that holds n.
func FileOf(n ast.Node) *ast.File {
	if s, ok := n.(*ast.Section); ok && s.IsRoot() {
		return s.File()
	}
	if p := n.Parent(); p != nil {
		return p.File()
	}
	return nil
}

// Run applies passes, in the order given, to files and returns every
// finding, in the order of Runner.Findings.
func Run(files []*ast.File, opts Options, passes []*Pass) []Finding {
	r := NewRunner(files, opts)
	for _, p := range passes {
		r.Run(p)
	}
	return r.Findings()
}

// Runner applies passes one at a time to the same files, so that a caller
// can tell which pass failed; the findings of all of them are collected in
// one place.
type Runner struct{ c Context }

// NewRunner returns a Runner over files with the policies opts.
func NewRunner(files []*ast.File, opts Options) *Runner {
	return &Runner{c: Context{Files: files, Opts: opts}}
}

// Run applies pass p.
func (r *Runner) Run(p *Pass) {
	// static-alias's plans hold for location-access only right after it,
	// and duplicate-daemon's scan for daemon-scope: any other pass may
	// change what they were made from.
	r.c.plans = nil
	if r.c.pass == StaticAlias && p == LocationAccess {
		r.c.plans = r.c.planned
	}
	r.c.planned = nil
	r.c.uses = nil
	if r.c.pass == DuplicateDaemon && p == DaemonScope {
		r.c.uses = r.c.usesLeft
	}
	r.c.usesLeft = nil
	r.c.pass, r.c.daemons = p, nil
	p.Run(&r.c)
}

// PanicError is a pass that panicked.
type PanicError struct {
	Pass  string
	Value any
}

func (e *PanicError) Error() string { return fmt.Sprintf("pass %q panicked: %v", e.Pass, e.Value) }

// RunSafe is Run that returns a panic in the pass as a *PanicError, so
// that the caller can name the pass and stop before writing anything.
func (r *Runner) RunSafe(p *Pass) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Pass: p.Name, Value: v}
		}
	}()
	r.Run(p)
	return nil
}

// Findings returns the findings of every pass run so far, file by file in
// the run's order and by position within a file; findings at one position
// are in pass order. That is how a linter's report reads, next to the
// diff's hunks, and a file fixed in parts can be reported in that order
// part by part as they are done (RunParts).
func (r *Runner) Findings() []Finding {
	return inReportOrder(nil, r.c.findings.records(), r.c.Files)
}
