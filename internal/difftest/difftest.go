// Package difftest renders want/got differences for test failure messages as
// a line diff, never as two blobs.
package difftest

import (
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Diff returns "" when want == got, else a line diff ("-" want, "+" got).
func Diff(want, got string) string {
	if want == got {
		return ""
	}
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToChars(want, got)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)
	var sb strings.Builder
	sb.WriteString("--- want\n+++ got\n")
	for _, d := range diffs {
		prefix := " "
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			prefix = "-"
		case diffmatchpatch.DiffInsert:
			prefix = "+"
		}
		for _, l := range strings.SplitAfter(d.Text, "\n") {
			if l == "" {
				continue
			}
			if !strings.HasSuffix(l, "\n") {
				l += "\n\\ No newline at end of file\n"
			}
			sb.WriteString(prefix + strings.ReplaceAll(l, "\r", `\r`))
		}
	}
	return sb.String()
}
