package rewrite

import (
	"errors"
	"fmt"
	"io"
	"math/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wsgifix/wsgifix/internal/difftest"
)

func TestDiffFormat(t *testing.T) {
	old := "NameVirtualHost *:80\n<VirtualHost *:80>\nServerName\n</VirtualHost>"
	new := "<VirtualHost *:80>\n#ServerName\n</VirtualHost>\n"
	want := `--- sites/a.conf
+++ sites/a.conf
@@ -1,4 +1,3 @@
-NameVirtualHost *:80
 <VirtualHost *:80>
-ServerName
-</VirtualHost>
\ No newline at end of file
+#ServerName
+</VirtualHost>
`
	if d := difftest.Diff(want, Diff("sites/a.conf", []byte(old), []byte(new))); d != "" {
		t.Error(d)
	}
}

func TestDiffEqualIsEmpty(t *testing.T) {
	if d := Diff("x", []byte("a\n"), []byte("a\n")); d != "" {
		t.Errorf("got %q", d)
	}
}

func TestDiffHunkRanges(t *testing.T) {
	var lines []string
	for i := 1; i <= 20; i++ {
		lines = append(lines, fmt.Sprintf("line %d\n", i))
	}
	old := strings.Join(lines, "")
	lines[1] = "first\n"
	lines[17] = "second\n"
	got := Diff("f", []byte(old), []byte(strings.Join(lines, "")))
	var headers []string
	for _, l := range strings.Split(got, "\n") {
		if strings.HasPrefix(l, "@@") {
			headers = append(headers, l)
		}
	}
	want := "@@ -1,5 +1,5 @@\n@@ -15,6 +15,6 @@"
	if d := difftest.Diff(want, strings.Join(headers, "\n")); d != "" {
		t.Error(d)
	}
}

func TestDiffQuotesOddPaths(t *testing.T) {
	got := Diff("a\tb.conf", []byte("a\n"), []byte("b\n"))
	if !strings.HasPrefix(got, "--- \"a\\tb.conf\"\n+++ \"a\\tb.conf\"\n") {
		t.Errorf("header not quoted:\n%s", got)
	}
}

// applyOps rebuilds b from a and the edit script, proving the script right.
func applyOps(t *testing.T, a, b []string, ops []op) {
	t.Helper()
	var out []string
	i, j := 0, 0
	for _, o := range ops {
		switch o.kind {
		case opEqual:
			for k := 0; k < o.n; k++ {
				if a[i+k] != b[j+k] {
					t.Fatalf("equal op pairs a[%d]=%q with b[%d]=%q", i+k, a[i+k], j+k, b[j+k])
				}
			}
			out = append(out, a[i:i+o.n]...)
			i, j = i+o.n, j+o.n
		case opDelete:
			i += o.n
		case opInsert:
			out = append(out, b[j:j+o.n]...)
			j += o.n
		}
	}
	if i != len(a) || j != len(b) {
		t.Fatalf("script consumes %d/%d old and %d/%d new lines", i, len(a), j, len(b))
	}
	if d := difftest.Diff(strings.Join(b, ""), strings.Join(out, "")); d != "" {
		t.Fatal(d)
	}
}

func TestAlignRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for i := 0; i < 200; i++ {
		old := randomConfig(rng, rng.Intn(60))
		new := randomEdit(rng, old)
		a, b := splitLines([]byte(old)), splitLines([]byte(new))
		applyOps(t, a, b, alignLines(a, b))
	}
}

// alignText takes its tables from a pool, left by the alignment before:
// in any sequence of sizes, each script must be the one fresh tables give.
func TestAlignTextReusesTablesCleanly(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for i := 0; i < 300; i++ {
		size := rng.Intn(400)
		if i%7 == 0 {
			size = 2000 + rng.Intn(2000) // more ids than the tables held
		}
		old := randomConfig(rng, size)
		new := randomEdit(rng, old)
		got := alignText([]byte(old), []byte(new))
		want := alignLines(splitLines([]byte(old)), splitLines([]byte(new)))
		if got, want = appendOps(nil, got), appendOps(nil, want); !slices.Equal(got, want) { // equal texts: one empty run, or none
			t.Fatalf("alignment %d (%d lines): pooled script %v, fresh %v", i, size, got, want)
		}
	}
}

// bigConfig returns n vhost-like lines, each unique.
func bigConfig(n int) []string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf("    ServerAlias host%d.example.org\n", i)
	}
	return lines
}

func TestAlignHugeFileStaysSmall(t *testing.T) {
	// 400k distinct lines would make go-diff panic if it saw them all;
	// with anchoring only the edited regions reach it.
	a := bigConfig(400_000)
	b := append([]string{}, a...)
	b[10] = "changed\n"
	b[200_000] = "changed too\n"
	b = append(b[:300_000], b[300_010:]...)
	ops := alignLines(a, b)
	applyOps(t, a, b, ops)
	changed := 0
	for _, o := range ops {
		if o.kind != opEqual {
			changed += o.n
		}
	}
	if changed != 14 {
		t.Errorf("edit script changes %d lines, want 14 (2 replaced lines, 10 deleted)", changed)
	}
}

func TestAlignOversizedRegionFallsBack(t *testing.T) {
	// Two completely different halves with no line in common: too big for
	// go-diff and no anchors, so one delete/insert.
	a := bigConfig(3000)
	b := make([]string, 3000)
	for i := range b {
		b[i] = fmt.Sprintf("other %d\n", i)
	}
	ops := alignLines(a, b)
	applyOps(t, a, b, ops)
	if len(ops) != 2 || ops[0] != (op{opDelete, 3000}) || ops[1] != (op{opInsert, 3000}) {
		t.Errorf("ops = %v, want one delete and one insert of 3000", ops)
	}
}

func TestAlignRepeatedLinesAroundAnchors(t *testing.T) {
	// Blocks of identical lines (no unique anchors inside) between unique
	// markers, large enough to need anchoring.
	var a, b []string
	for blk := 0; blk < 50; blk++ {
		a = append(a, fmt.Sprintf("<VirtualHost %d>\n", blk))
		b = append(b, fmt.Sprintf("<VirtualHost %d>\n", blk))
		for k := 0; k < 60; k++ {
			a = append(a, "Order deny,allow\n")
			if blk%7 == 0 && k == 30 {
				b = append(b, "Require all granted\n")
				continue
			}
			b = append(b, "Order deny,allow\n")
		}
	}
	ops := alignLines(a, b)
	applyOps(t, a, b, ops)
}

func TestDiffHugeIsLinearEnough(t *testing.T) {
	if testing.Short() {
		t.Skip("large input")
	}
	// Not a timing assertion: the structure test above checks the work is
	// confined; this checks a 400k-line diff renders and names both edits.
	a := bigConfig(400_000)
	b := append([]string{}, a...)
	b[399_999] = "last\n"
	b[0] = "first\n"
	start := time.Now()
	d := Diff("big.conf", []byte(strings.Join(a, "")), []byte(strings.Join(b, "")))
	t.Logf("400k-line diff in %v", time.Since(start))
	if strings.Count(d, "@@ -") != 2 || !strings.Contains(d, "+first\n") || !strings.Contains(d, "+last\n") {
		t.Errorf("unexpected diff:\n%s", d)
	}
}

// A file fixed in parts is diffed from its parts' scripts joined: the
// joined script turns the whole old text into the whole new one, and a
// script that does not fit is not used.
func TestDiffFromPartScripts(t *testing.T) {
	oldParts := []string{"a\nb\nc\n", "same\nsame\n", "x\ny\n", "tail\nno newline"}
	newParts := []string{"a\nB\nc\nd\n", "same\nsame\n", "", "tail\nno newline at all"}
	var script []op
	for k := range oldParts {
		script = appendOps(script, alignText([]byte(oldParts[k]), []byte(newParts[k])))
	}
	old, new := strings.Join(oldParts, ""), strings.Join(newParts, "")
	a, b := splitLines([]byte(old)), splitLines([]byte(new))
	if !fits(script, len(a), len(b)) {
		t.Fatalf("joined script %v does not fit %d and %d lines", script, len(a), len(b))
	}
	applyOps(t, a, b, script)
	for k := 1; k < len(script); k++ {
		if script[k].kind == script[k-1].kind {
			t.Errorf("runs %d and %d of %v are of one kind: not joined", k-1, k, script)
		}
	}
	if got, want := diffAligned("f", []byte(old), []byte(new), script), Diff("f", []byte(old), []byte(new)); got != want {
		t.Errorf("diff from the parts' scripts:\n%s\nwant:\n%s", got, want)
	}
	wrong := append([]op{{opEqual, 1}}, script...)
	if fits(wrong, len(a), len(b)) || diffAligned("f", []byte(old), []byte(new), wrong) != Diff("f", []byte(old), []byte(new)) {
		t.Error("a script that does not fit was used")
	}
}

// A big diff rendered three ways is the same text: from tables, from a
// given script on two goroutines (each with its own cursors), and
// streamed in chunks into a writer; and a writer's error comes back.
func TestDiffRenderingsAgree(t *testing.T) {
	lines := bigConfig(60000) // 2.2 MB: above parallelBytes and writeChunk
	edited := slices.Clone(lines)
	for i := 5; i < len(edited); i += 97 {
		edited[i] = "    # removed\r\n"
	}
	edited = append(edited[:30000], append([]string{"added\n"}, edited[30000:]...)...)
	old, new := []byte(strings.Join(lines, "")), []byte(strings.Join(edited, "")+"no newline")
	want := Diff("big.conf", old, new)
	if strings.Count(want, "@@ -") < 600 {
		t.Fatalf("only %d hunks", strings.Count(want, "@@ -"))
	}
	ops := alignText(old, new)
	if got := diffAligned("big.conf", old, new, ops); got != want {
		t.Error("diff from a given script differs from Diff")
	}
	var sb strings.Builder
	w := &countingWriter{w: &sb}
	if err := writeDiff(w, "big.conf", old, new, ops); err != nil || sb.String() != want {
		t.Errorf("streamed diff (err %v) differs from Diff", err)
	}
	if w.writes < len(want)/(writeChunk+4096) {
		t.Errorf("%d writes for %d bytes: not streamed in chunks", w.writes, len(want))
	}
	full := errors.New("disk full")
	if err := writeDiff(failingWriter{full}, "big.conf", old, new, ops); !errors.Is(err, full) {
		t.Errorf("writer's error lost: %v", err)
	}
}

type countingWriter struct {
	w      io.Writer
	writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes++
	return c.w.Write(p)
}

type failingWriter struct{ err error }

func (f failingWriter) Write(p []byte) (int, error) { return 0, f.err }
