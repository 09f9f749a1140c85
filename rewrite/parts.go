package rewrite

import (
	"sync/atomic"

	"github.com/wsgifix/wsgifix/fixes"
)

// fixInParts fixes f, the run's only file, part by part when
// fixes.RunParts can cut it; ok is false when it cannot (f is then still
// to be parsed).
// Each part is aligned for the diff as soon as it is fixed, while the
// other CPU fixes the next one. With Options.DiffOut the parts' diffs are
// written in part order as they come (orderedDiff) and neither the fixed
// text nor the diff is kept; otherwise the file gets its fixed text and
// the joined edit script for its diff.
func (r *Result) fixInParts(f *File, opts Options) (found []fixes.Finding, ok bool, err error) {
	var partOps [][]op
	var stream *orderedDiff
	var done atomic.Int64
	hooks := fixes.PartHooks{
		Jobs: opts.Jobs,
		Cut: func(parts int) {
			f.tree, f.unparsed = nil, false // the parts are parsed one by one
			partOps = make([][]op, parts)
			if opts.DiffOut != nil {
				stream = newOrderedDiff(newDiffStream(opts.DiffOut, f.Path, f.Before), parts)
			}
			if opts.Split != nil {
				opts.Split()
			}
		},
		Done: func(k int, before, after []byte) {
			switch {
			case stream != nil:
				stream.add(k, alignText(before, after), after, string(before) != string(after))
			case !opts.SkipDiff:
				partOps[k] = alignText(before, after)
			}
			if opts.PartProgress != nil {
				opts.PartProgress(int(done.Add(1)), len(partOps))
			}
		},
		NoText: opts.DiffOut != nil,
	}
	printed, found, ok, err := fixes.RunParts(f.Path, f.Before, opts.Fix, opts.Passes, hooks)
	switch {
	case !ok:
		return nil, false, nil
	case stream != nil:
		if err == nil {
			stream.s.close()
		}
		f.Changed, f.diffWritten = stream.changed, true
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
