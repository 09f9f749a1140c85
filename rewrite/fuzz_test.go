package rewrite

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/internal/difftest"
)

// FuzzDiff checks the diff renderer on arbitrary pairs of texts: the diff
// is empty exactly when the texts are equal, and applying it to the old
// text with a strict unified-diff applier (every context and removed line
// must match, every hunk's counts must add up, hunks in order) gives the
// new text byte for byte. TestDiffAppliesWithPatch and
// TestDiffAppliesWithGitApply check the same with the real tools.
func FuzzDiff(f *testing.F) {
	for _, c := range allDiffCases() {
		f.Add([]byte(c.old), []byte(c.new))
	}
	f.Fuzz(func(t *testing.T, old, new []byte) {
		diff := Diff("site.conf", old, new)
		if bytes.Equal(old, new) {
			if diff != "" {
				t.Fatalf("diff of equal texts:\n%s", diff)
			}
			return
		}
		// The other two renderings: from a script given (the texts read
		// with cursors, not tables) and streamed into a writer.
		ops := alignText(old, new)
		if got := diffAligned("site.conf", old, new, ops); got != diff {
			t.Fatalf("diff from a given script:\n%s\nwant:\n%s", got, diff)
		}
		var sb strings.Builder
		if err := writeDiff(&sb, "site.conf", old, new, ops); err != nil || sb.String() != diff {
			t.Fatalf("streamed diff (%v):\n%s\nwant:\n%s", err, sb.String(), diff)
		}
		got, err := applyUnified(old, "site.conf", diff)
		if err != nil {
			t.Fatalf("%v\ndiff was:\n%s", err, diff)
		}
		if !bytes.Equal(got, new) {
			t.Fatalf("patched text differs from the new text:\n%s\ndiff was:\n%s", difftest.Diff(string(new), string(got)), diff)
		}
	})
}

// applyUnified applies a one-file unified diff to old, as `patch` does
// with no fuzz factor: context must match exactly, line endings included.
func applyUnified(old []byte, name, diff string) ([]byte, error) {
	lines := splitAfterNewline(diff)
	if len(lines) < 2 || lines[0] != "--- "+name+"\n" || lines[1] != "+++ "+name+"\n" {
		return nil, fmt.Errorf("bad headers: %q", lines[:min(2, len(lines))])
	}
	src := splitAfterNewline(string(old))
	var out []string
	next := 0 // first old line not yet copied
	for k := 2; k < len(lines); {
		oldStart, oldN, newN, err := parseHunkHeader(lines[k])
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", k+1, err)
		}
		k++
		// An empty range names the line before it; otherwise 1-based.
		at := oldStart - 1
		if oldN == 0 {
			at = oldStart
		}
		if at < next || at > len(src) {
			return nil, fmt.Errorf("hunk at old line %d out of order or range (next %d of %d)", oldStart, next, len(src))
		}
		out = append(out, src[next:at]...)
		next = at
		gotOld, gotNew := 0, 0
		for k < len(lines) && !strings.HasPrefix(lines[k], "@@") {
			l := lines[k]
			k++
			text := l[1:]
			if k < len(lines) && lines[k] == "\\ No newline at end of file\n" {
				text = strings.TrimSuffix(text, "\n")
				k++
			}
			switch l[0] {
			case ' ', '-':
				if next >= len(src) || src[next] != text {
					return nil, fmt.Errorf("old line %d: want %q, diff says %q", next+1, at1(src, next), text)
				}
				next++
				gotOld++
				if l[0] == ' ' {
					out = append(out, text)
					gotNew++
				}
			case '+':
				out = append(out, text)
				gotNew++
			default:
				return nil, fmt.Errorf("line %d: not a hunk line: %q", k, l)
			}
		}
		if gotOld != oldN || gotNew != newN {
			return nil, fmt.Errorf("hunk -%d,%d +%d: has %d old and %d new lines", oldStart, oldN, newN, gotOld, gotNew)
		}
	}
	out = append(out, src[next:]...)
	return []byte(strings.Join(out, "")), nil
}

// parseHunkHeader reads "@@ -a,b +c,d @@" (",b" and ",d" default to 1).
func parseHunkHeader(l string) (oldStart, oldN, newN int, err error) {
	var oldR, newR string
	if _, err = fmt.Sscanf(l, "@@ -%s +%s @@\n", &oldR, &newR); err != nil {
		return 0, 0, 0, fmt.Errorf("bad hunk header %q: %v", l, err)
	}
	if oldStart, oldN, err = parseRange(oldR); err != nil {
		return
	}
	_, newN, err = parseRange(newR)
	return
}

func parseRange(r string) (start, n int, err error) {
	s, c, ok := strings.Cut(r, ",")
	if start, err = strconv.Atoi(s); err != nil {
		return
	}
	n = 1
	if ok {
		n, err = strconv.Atoi(c)
	}
	return
}

func splitAfterNewline(s string) []string {
	if s == "" {
		return nil
	}
	out := strings.SplitAfter(s, "\n")
	if out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

func at1(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<end of file>"
}

// TestApplyUnifiedIsStrict proves the fuzz oracle can fail: a diff whose
// context, counts or newline marker do not match the old text is refused.
func TestApplyUnifiedIsStrict(t *testing.T) {
	old := "a\nb\nc\n"
	good := Diff("site.conf", []byte(old), []byte("a\nB\nc"))
	if got, err := applyUnified([]byte(old), "site.conf", good); err != nil || string(got) != "a\nB\nc" {
		t.Fatalf("good diff: got %q, %v\n%s", got, err, good)
	}
	bad := map[string]string{
		"wrong context":   strings.Replace(good, " a\n", " x\n", 1),
		"wrong count":     strings.Replace(good, "@@ -1,3 +1,3 @@", "@@ -1,4 +1,3 @@", 1),
		"crlf context":    strings.Replace(good, " a\n", " a\r\n", 1),
		"wrong name":      strings.Replace(good, "+++ site.conf", "+++ other.conf", 1),
		"removed missing": strings.Replace(good, "-b\n", "-q\n", 1),
	}
	for what, d := range bad {
		if d == good {
			t.Fatalf("%s: the corruption did not apply to:\n%s", what, good)
		}
		if got, err := applyUnified([]byte(old), "site.conf", d); err == nil {
			t.Errorf("%s: applied, giving %q:\n%s", what, got, d)
		}
	}
}
