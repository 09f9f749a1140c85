package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

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
