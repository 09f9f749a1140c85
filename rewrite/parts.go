package rewrite

import (
	"io"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/wsgifix/wsgifix/fixes"
)

// fixInParts fixes f, the run's only file, part by part when
// fixes.RunParts can cut it; ok is false when it cannot (f is then still
// to be parsed).
// Each part is aligned for the diff as soon as it is fixed, while the
// other CPU fixes the next one. With Options.DiffOut the parts' diffs are
// written in part order as they come (orderedParts) and neither the fixed
// text nor the diff is kept; otherwise the file gets its fixed text and
// the joined edit script for its diff. With Options.FindingsOut the
// parts' findings are written the same way, and not kept.
func (r *Result) fixInParts(f *File, opts Options) (found []fixes.Finding, ok bool, err error) {
	var partOps [][]op
	var out *orderedParts
	var done atomic.Int64
	// Findings of Include lines would have to be sorted in among them.
	findingsOut := opts.FindingsOut
	if len(r.Findings) > 0 {
		findingsOut = nil
	}
	hooks := fixes.PartHooks{
		Jobs: opts.Jobs,
		Cut: func(parts int) {
			f.tree, f.unparsed = nil, false // the parts are parsed one by one
			partOps = make([][]op, parts)
			out = &orderedParts{waiting: make([]*partOut, parts), findings: findingsOut}
			if opts.DiffOut != nil {
				out.diff = newDiffStream(opts.DiffOut, f.Path, f.Before)
			}
			if opts.Split != nil {
				opts.Split()
			}
		},
		Done: func(k int, before, after []byte, found []fixes.Finding) {
			p := &partOut{}
			switch {
			case out.diff != nil:
				p.ops, p.text, p.changed = alignText(before, after), after, string(before) != string(after)
			case !opts.SkipDiff:
				partOps[k] = alignText(before, after)
			}
			if out.findings != nil {
				p.findings, p.unfixed = findingLines(out.spare(&out.free), found)
			}
			out.add(k, p)
			if opts.PartProgress != nil {
				opts.PartProgress(int(done.Add(1)), len(partOps))
			}
		},
		NoText:     opts.DiffOut != nil,
		NoFindings: findingsOut != nil,
	}
	if opts.DiffOut != nil { // the parts' texts are copied into the diff stream
		hooks.Buffer = func() []byte { return out.spare(&out.texts) }
	}
	printed, found, ok, err := fixes.RunParts(f.Path, f.Before, opts.Fix, opts.Passes, hooks)
	if !ok {
		return nil, false, nil
	}
	if out.findings != nil {
		f.unfixedOut = out.unfixed
	}
	switch {
	case out.diff != nil:
		if err == nil {
			out.diff.close()
		}
		f.Changed, f.diffWritten = out.changed, true
	case opts.SkipDiff:
		f.After = printed
	default:
		f.After = printed
		n := 0
		for _, ops := range partOps {
			n += len(ops)
		}
		f.ops = make([]op, 0, n)
		for _, ops := range partOps {
			f.ops = appendOps(f.ops, ops)
		}
	}
	return found, true, passError(err)
}

// findingLines appends found to text, one per line as the command prints
// them, and counts the errors among them that were not fixed.
func findingLines(text []byte, found []fixes.Finding) ([]byte, int) {
	n, unfixed := 0, 0
	for i := range found {
		n += len(found[i].File) + len(found[i].Pass) + len(found[i].Message) + 32
	}
	text = slices.Grow(text[:0], n)
	for i := range found {
		text = append(found[i].AppendText(text), '\n')
		if found[i].Severity == fixes.Error && !found[i].Fixed {
			unfixed++
		}
	}
	return text, unfixed
}

// orderedParts writes the parts' diffs and findings as they are done, in
// part order: a part done before the ones above it waits (with its new
// text) until they are in.
type orderedParts struct {
	diff     *diffStream // or nil
	findings io.Writer   // or nil
	mu       sync.Mutex
	next     int
	waiting  []*partOut
	changed  bool
	unfixed  int
	// Texts written, for the next parts to reuse: findings texts, and
	// printed parts once the diff stream has copied them. A big file's
	// are tens of megabytes, and fresh memory costs a page fault per 4 KiB.
	free, texts [][]byte
}

// spare returns one of list's buffers, or nil.
func (o *orderedParts) spare(list *[][]byte) []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	if n := len(*list); n > 0 {
		b := (*list)[n-1]
		*list = (*list)[:n-1]
		return b
	}
	return nil
}

// partOut is what one part has to write.
type partOut struct {
	ops      []op
	text     []byte
	changed  bool
	findings []byte
	unfixed  int
}

// add hands in part k's output.
func (o *orderedParts) add(k int, p *partOut) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.waiting[k] = p
	for o.next < len(o.waiting) && o.waiting[o.next] != nil {
		p := o.waiting[o.next]
		if o.diff != nil {
			o.diff.add(p.ops, p.text) // copies the text (appendText)
			o.changed = o.changed || p.changed
			o.texts = append(o.texts, p.text[:0])
		}
		if o.findings != nil {
			o.findings.Write(p.findings) // an io.Writer keeps none of it
			o.unfixed += p.unfixed
			o.free = append(o.free, p.findings[:0])
		}
		o.waiting[o.next] = nil
		o.next++
	}
}
