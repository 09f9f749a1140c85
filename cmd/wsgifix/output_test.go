package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/fixes"
	"github.com/wsgifix/wsgifix/internal/genconf"
)

// The diff is coloured as it streams by, so a line can arrive in any
// number of writes; its colour must not depend on where they split it.
// Line endings (CRLF too) stay outside the codes, and a last line without
// a newline is coloured when the writer is flushed.
func TestColorWriterSplitsAnywhere(t *testing.T) {
	diff := "--- a.conf\n+++ a.conf\n@@ -1,2 +1,2 @@\n keep\n-old\r\n+new\n\n\\ No newline at end of file\n+last"
	want := ansiBold + "--- a.conf" + ansiReset + "\n" +
		ansiBold + "+++ a.conf" + ansiReset + "\n" +
		ansiCyan + "@@ -1,2 +1,2 @@" + ansiReset + "\n" +
		" keep\n" +
		ansiRed + "-old" + ansiReset + "\r\n" +
		ansiGreen + "+new" + ansiReset + "\n" +
		"\n" +
		"\\ No newline at end of file\n" +
		ansiGreen + "+last" + ansiReset
	write := func(chunks ...string) string {
		var out bytes.Buffer
		cw := &colorWriter{w: &out}
		for _, c := range chunks {
			if n, err := cw.Write([]byte(c)); n != len(c) || err != nil {
				t.Fatalf("Write(%q) = %d, %v", c, n, err)
			}
		}
		if err := cw.flush(); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	if got := write(diff); got != want {
		t.Fatalf("coloured:\n%q\nwant:\n%q", got, want)
	}
	for i := range len(diff) {
		if got := write(diff[:i], diff[i:]); got != want {
			t.Fatalf("split at %d:\n%q\nwant:\n%q", i, got, want)
		}
	}
	bytewise := make([]string, len(diff))
	for i := range diff {
		bytewise[i] = diff[i : i+1]
	}
	if got := write(bytewise...); got != want {
		t.Fatalf("a byte at a time:\n%q", got)
	}
}

// fullWriter takes room bytes, then fails as a full disk does.
type fullWriter struct{ room int }

func (w *fullWriter) Write(p []byte) (int, error) {
	if len(p) > w.room {
		n := w.room
		w.room = 0
		return n, syscall.ENOSPC
	}
	w.room -= len(p)
	return len(p), nil
}

// Output that cannot be written whole is an error (exit 2, saying so),
// not the usual exit 1 of "changes pending": "diff > fix.patch" on a full
// disk leaves a patch cut short, and "fix - > site.conf" a config.
func TestStdoutCutShortIsAnError(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "site.conf")
	// A config big enough that its diff outgrows the output buffer.
	if err := os.WriteFile(conf, []byte(strings.Repeat(nvhBroken, 4000)), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"diff", conf},
		{"diff", "--format", "json", conf},
		{"check", conf},
		{"fix", "-"},
	} {
		var whole bytes.Buffer
		run(args, bytes.NewReader(src), &whole, io.Discard)
		if whole.Len() < 128<<10 {
			t.Fatalf("%v writes only %d bytes: all of it fits the output buffer", args, whole.Len())
		}
		for _, room := range []int{0, 100, whole.Len() / 2, whole.Len() - 1} {
			var stderr bytes.Buffer
			code := run(args, bytes.NewReader(src), &fullWriter{room: room}, &stderr)
			if code != exitError || !strings.Contains(stderr.String(), "writing standard output: no space left on device") {
				t.Errorf("%v with %d bytes of room: exit %d, stderr %q", args, room, code, tail(stderr.String()))
			}
		}
	}
}

func tail(s string) string { return s[max(0, len(s)-200):] }

// With stdout and stderr apart, the diffs are written as the run makes
// them (a big config's while its parts are fixed) and the findings after;
// each stream must still get what it gets when they share one writer (a
// terminal, 2>&1), where each file's findings come before its diff.
func TestDiffsBesideFindings(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	small := []byte(strings.Repeat(nvhBroken, 2000))
	runs := map[string][]string{
		"three files":                  {write("a.conf", small), write("b.conf", small), write("c.conf", small)},
		"one big file, fixed in parts": {write("big.conf", genconf.Bytes(3200))},
	}
	for name, paths := range runs {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"diff"}, paths...)
			var stdout, stderr, both bytes.Buffer
			code := run(args, nil, &stdout, &stderr)
			if code2 := run(args, nil, &both, &both); code != exitPending || code2 != code {
				t.Fatalf("exit %d apart, %d together", code, code2)
			}
			var diffs, findings strings.Builder
			for _, line := range strings.SplitAfter(both.String(), "\n") {
				if strings.HasPrefix(line, dir) {
					findings.WriteString(line)
				} else {
					diffs.WriteString(line)
				}
			}
			if stdout.String() != diffs.String() {
				t.Errorf("stdout apart (%d bytes) is not the diffs written together (%d bytes)", stdout.Len(), diffs.Len())
			}
			if stderr.String() != findings.String() || stderr.Len() < 100<<10 {
				t.Errorf("stderr apart (%d bytes) is not the findings written together (%d bytes)", stderr.Len(), findings.Len())
			}
		})
	}
}

// A big run's findings are formatted on another goroutine in chunks
// (writeFindings); what comes out must be every finding, in order, one
// per line, as the line-by-line loop writes it, and a writer that fails
// must not leave the formatter stuck.
func TestWriteFindingsInChunksMatchesLineByLine(t *testing.T) {
	var findings []fixes.Finding
	for i := range 9000 { // messages of varied length: chunks end anywhere
		findings = append(findings, fixes.Finding{
			File: "/etc/apache2/sites-enabled/site.conf", Pos: ast.Pos{Line: i + 1, Col: i%7 + 1},
			Pass: "location-access", Message: strings.Repeat("grants access by URL ", 1+i%17),
		})
	}
	var want bytes.Buffer
	for _, fd := range findings {
		want.WriteString(fd.String() + "\n")
	}
	defer func(n int) { bigFindings = n }(bigFindings)
	for _, threshold := range []int{len(findings) + 1, 1} { // line by line, then in chunks
		bigFindings = threshold
		var got bytes.Buffer
		writeFindings(&got, findings)
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("bigFindings %d: %d bytes written, want %d (first difference at %d)",
				threshold, got.Len(), want.Len(), firstDifference(got.Bytes(), want.Bytes()))
		}
	}
	writeFindings(failingWriter{}, findings) // returns: the chunks are drained
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func firstDifference(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// A big file's findings are written as its parts are fixed
// (rewrite.Options.FindingsOut) whenever no progress is shown: they must
// be what the run reports when it keeps them (--format json), and an
// error left unfixed must still fail `fix`, though no finding is kept.
func TestBigFileFindingsWrittenAsPartsAreDone(t *testing.T) {
	dir := t.TempDir()
	var src bytes.Buffer
	for i := range 3200 {
		if i == 1600 { // left alone under the default --daemon-conflict
			src.WriteString("<VirtualHost *:80>\n    WSGIDaemonProcess clash processes=2\n" +
				"    WSGIDaemonProcess clash processes=4\n    WSGIProcessGroup clash\n</VirtualHost>\n")
		}
		src.WriteString(genconf.Pair(i))
	}
	big := filepath.Join(dir, "big.conf")
	if err := os.WriteFile(big, src.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr, js bytes.Buffer
	if code := run([]string{"diff", big}, nil, &stdout, &stderr); code != exitPending {
		t.Fatalf("diff: exit %d", code)
	}
	if code := run([]string{"diff", "--format", "json", big}, nil, &js, io.Discard); code != exitPending {
		t.Fatalf("diff --format json: exit %d", code)
	}
	var out struct {
		Files []struct {
			Findings []struct {
				File, Pass, Message string
				Line, Col           int
			}
		}
	}
	if err := json.Unmarshal(js.Bytes(), &out); err != nil || len(out.Files) != 1 {
		t.Fatalf("json: %v, %d files", err, len(out.Files))
	}
	var want strings.Builder
	for _, f := range out.Files[0].Findings {
		fmt.Fprintf(&want, "%s:%d:%d: [%s] %s\n", f.File, f.Line, f.Col, f.Pass, f.Message)
	}
	if stderr.String() != want.String() || !strings.Contains(want.String(), `"clash" conflicts`) {
		t.Errorf("diff's findings (%d bytes, first difference at %d) are not the run's (%d bytes)",
			stderr.Len(), firstDifference(stderr.Bytes(), []byte(want.String())), want.Len())
	}
	stdout.Reset()
	if code := run([]string{"check", big}, nil, &stdout, io.Discard); code != exitPending || stdout.String() != want.String() {
		t.Errorf("check: exit %d; its findings are the run's: %v", code, stdout.String() == want.String())
	}
	if code := run([]string{"fix", "--no-backup", big}, nil, io.Discard, io.Discard); code != exitPending {
		t.Errorf("fix left an error unfixed and exited %d, want %d", code, exitPending)
	}
}
