package rewrite

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"
)

// streamParts diffs old → new as a file fixed in parts is: both cut into
// the same number of parts at line boundaries chosen by rng (the same
// line numbers on both sides when matched), each part aligned on its own,
// the parts' scripts streamed in order. It returns the streamed diff and
// the joined script.
func streamParts(rng *rand.Rand, old, new []byte, parts int, matched bool, w *bytes.Buffer) (string, []op) {
	var at []int
	cut := func(text []byte) [][]byte {
		lines := splitLines(text)
		if at == nil || !matched {
			at = make([]int, parts+1)
			at[parts] = len(lines)
			for k := 1; k < parts; k++ {
				at[k] = rng.Intn(len(lines) + 1)
			}
			at = sortInts(at)
		}
		out := make([][]byte, parts)
		for k := range out {
			out[k] = []byte(strings.Join(lines[at[k]:at[k+1]], ""))
		}
		return out
	}
	oldParts, newParts := cut(old), cut(new)
	s := newDiffStream(w, "site.conf", old)
	var script []op
	for k := range oldParts {
		ops := alignText(oldParts[k], newParts[k])
		script = appendOps(script, ops)
		s.add(ops, newParts[k])
	}
	if err := s.close(); err != nil {
		panic(err)
	}
	return w.String(), script
}

func sortInts(a []int) []int {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
	return a
}

// A diff streamed part by part is the diff of the parts' joined script,
// byte for byte: hunks that cross a part's end are joined as they are in
// one rendering, and line numbers run on.
func TestDiffStreamMatchesDiff(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for i := 0; i < 400; i++ {
		old := []byte(randomConfig(rng, rng.Intn(200)))
		new := []byte(randomEdit(rng, string(old)))
		if rng.Intn(4) == 0 {
			new = []byte(randomEdit(rng, string(new)))
		}
		var w bytes.Buffer
		got, script := streamParts(rng, old, new, 1+rng.Intn(8), false, &w)
		if want := diffAligned("site.conf", old, new, script); got != want {
			t.Fatalf("case %d: streamed:\n%s\nwant:\n%s", i, got, want)
		}
	}
}

// The same on a big text (many chunks written) whose parts are edited
// near their ends, where hunks cross from part to part.
func TestDiffStreamBig(t *testing.T) {
	lines := bigConfig(40000)
	edited := append([]string(nil), lines...)
	for i := 0; i < len(edited); i += 200 {
		for j := i - 2; j <= i+2; j += 2 {
			if j >= 0 && j < len(edited) {
				edited[j] = "changed\r\n"
			}
		}
	}
	old, new := []byte(strings.Join(lines, "")), []byte(strings.Join(edited, ""))
	rng := rand.New(rand.NewSource(5))
	var w bytes.Buffer
	got, script := streamParts(rng, old, new, 40, true, &w)
	if want := diffAligned("site.conf", old, new, script); got != want {
		t.Fatalf("streamed diff of %d bytes differs from the whole one of %d", len(got), len(want))
	}
	if strings.Count(got, "@@ -") < 30 || w.Len() < 2*writeChunk || got != Diff("site.conf", old, new) {
		t.Errorf("%d hunks in %d bytes: not the big diff meant", strings.Count(got, "@@ -"), w.Len())
	}
}

// A stream of unchanged parts holds only the last few lines of new text,
// not all of it (a file with nothing to fix is the common case of a
// re-run across a fleet), and a change that comes after them still gets
// its leading context and line numbers.
func TestDiffStreamHoldsLittleOfUnchangedText(t *testing.T) {
	lines := bigConfig(20000)
	old := []byte(strings.Join(lines, ""))
	edited := append([]string(nil), lines...)
	edited[len(edited)-5] = "changed\n"
	new := []byte(strings.Join(edited, ""))
	const parts = 40
	var w bytes.Buffer
	s := newDiffStream(&w, "site.conf", old)
	var script []op
	held := 0
	for k := range parts {
		from, to := k*len(lines)/parts, (k+1)*len(lines)/parts
		o, n := []byte(strings.Join(lines[from:to], "")), []byte(strings.Join(edited[from:to], ""))
		ops := alignText(o, n)
		script = appendOps(script, ops)
		s.add(ops, n)
		held = max(held, len(s.newText))
	}
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	if want := diffAligned("site.conf", old, new, script); w.String() != want || !strings.Contains(want, "+changed") {
		t.Fatalf("streamed:\n%s\nwant:\n%s", w.String(), want)
	}
	if part := len(new) / parts; held > 2*part {
		t.Errorf("held %d bytes of new text at most, want at most two parts' (%d)", held, 2*part)
	}
}

// FuzzDiffStream: any texts, cut anywhere into parts: the streamed diff
// is the joined script's diff.
func FuzzDiffStream(f *testing.F) {
	for _, c := range allDiffCases() {
		f.Add([]byte(c.old), []byte(c.new), int64(3), uint8(4))
	}
	f.Fuzz(func(t *testing.T, old, new []byte, seed int64, parts uint8) {
		if bytes.Equal(old, new) {
			// A file fixed in parts is unchanged only if every part is;
			// then no script has a change to stream. Cuts that do not
			// match (part 1 losing the line part 2 gains) are not parts.
			return
		}
		rng := rand.New(rand.NewSource(seed))
		var w bytes.Buffer
		got, script := streamParts(rng, old, new, 1+int(parts%16), false, &w)
		if want := diffAligned("site.conf", old, new, script); got != want {
			t.Fatalf("streamed:\n%q\nwant:\n%q", got, want)
		}
	})
}
