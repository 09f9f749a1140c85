package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wsgifix/wsgifix/fixes"
	"github.com/wsgifix/wsgifix/rewrite"
)

// writeText prints diffs (diff) on stdout, findings on stdout (check) or
// stderr (diff, fix, so a diff stays a clean patch), errors on stderr.
func (a *app) writeText(m mode, res *rewrite.Result, writeErr error) {
	out := newStreams(a.stdout, a.stderr)
	defer out.flush()
	findingsTo := out.stderr
	if m == modeCheck {
		findingsTo = out.stdout
	}
	color := m == modeDiff && useColor(a.stdout)
	var line []byte
	for _, f := range res.Files {
		for _, fd := range f.Findings {
			line = append(fd.AppendText(line[:0]), '\n')
			findingsTo().Write(line)
		}
		if f.Err != nil {
			fmt.Fprintln(out.stderr(), f.Err)
			continue
		}
		switch {
		case m == modeDiff && f.Diff != "":
			if color {
				io.WriteString(out.stdout(), colorDiff(f.Diff))
			} else {
				io.WriteString(out.stdout(), f.Diff)
			}
		case m == modeFix && f.Stdin:
			out.stdout().Write(f.After)
		case m == modeFix && f.Written && f.Backup != "":
			fmt.Fprintf(out.stderr(), "wsgifix: fixed %s (backup %s)\n", f.Path, f.Backup)
		case m == modeFix && f.Written:
			fmt.Fprintf(out.stderr(), "wsgifix: fixed %s\n", f.Path)
		}
	}
	var ve *rewrite.VerifyError
	if errors.As(writeErr, &ve) {
		fmt.Fprintf(out.stderr(), "wsgifix: %v\n", ve)
	}
}

// streams buffers stdout and stderr: a big run prints a hundred thousand
// findings, and a write call per line was a tenth of its time. Switching
// from one stream to the other flushes the first, so a reader of both (a
// terminal, 2>&1) sees the lines in the same order as unbuffered.
type streams struct {
	out, err *bufio.Writer
	last     *bufio.Writer
}

func newStreams(stdout, stderr io.Writer) *streams {
	return &streams{out: bufio.NewWriterSize(stdout, 64<<10), err: bufio.NewWriterSize(stderr, 64<<10)}
}

func (s *streams) stdout() *bufio.Writer { return s.use(s.out) }
func (s *streams) stderr() *bufio.Writer { return s.use(s.err) }

func (s *streams) use(w *bufio.Writer) *bufio.Writer {
	if s.last != nil && s.last != w {
		s.last.Flush()
	}
	s.last = w
	return w
}

func (s *streams) flush() {
	s.out.Flush()
	s.err.Flush()
}

// jsonFile is one file of --format json.
type jsonFile struct {
	Path     string          `json:"path"`
	Changed  bool            `json:"changed"`
	Findings []fixes.Finding `json:"findings"`
	Diff     string          `json:"diff"`
	Backup   string          `json:"backup"`
	Written  bool            `json:"written"`
	Output   *string         `json:"output,omitempty"` // fix -: the fixed text
	Error    *string         `json:"error"`
}

type jsonReport struct {
	Command string     `json:"command"`
	Files   []jsonFile `json:"files"`
	Error   *string    `json:"error"` // for the run as a whole (verify, bad input)
}

func (a *app) writeJSON(m mode, res *rewrite.Result, runErr error) {
	rep := jsonReport{Command: m.String(), Files: []jsonFile{}}
	if res != nil {
		for _, f := range res.Files {
			jf := jsonFile{
				Path: f.Path, Changed: f.Changed, Findings: f.Findings,
				Diff: f.Diff, Backup: f.Backup, Written: f.Written,
			}
			if jf.Findings == nil {
				jf.Findings = []fixes.Finding{}
			}
			if f.Err != nil {
				jf.Error = ptr(f.Err.Error())
				jf.Diff = ""
			} else if m == modeFix && f.Stdin {
				jf.Output = ptr(string(f.After))
			}
			rep.Files = append(rep.Files, jf)
		}
	}
	var ve *rewrite.VerifyError
	switch {
	case errors.As(runErr, &ve):
		rep.Error = ptr(ve.Error())
	case runErr != nil && res == nil:
		rep.Error = ptr(runErr.Error())
	}
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		fmt.Fprintf(a.stderr, "wsgifix: %v\n", err)
	}
}

func ptr(s string) *string { return &s }

// isTerminal reports whether w is a terminal. A character device is not
// enough: "diff > /dev/null" got colour codes (and a big run spent a
// fifth of its time adding them).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminalFile(f)
}

// useColor: only on a terminal, and never with NO_COLOR set (no-color.org).
func useColor(w io.Writer) bool {
	return os.Getenv("NO_COLOR") == "" && isTerminal(w)
}

const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiRed   = "\x1b[31m"
	ansiGreen = "\x1b[32m"
	ansiCyan  = "\x1b[36m"
)

// colorDiff colours a unified diff as git does; line endings stay outside
// the colour codes.
func colorDiff(d string) string {
	var sb strings.Builder
	for _, line := range strings.SplitAfter(d, "\n") {
		body := strings.TrimRight(line, "\r\n")
		eol := line[len(body):]
		color := ""
		switch {
		case strings.HasPrefix(body, "--- "), strings.HasPrefix(body, "+++ "):
			color = ansiBold
		case strings.HasPrefix(body, "@@"):
			color = ansiCyan
		case strings.HasPrefix(body, "-"):
			color = ansiRed
		case strings.HasPrefix(body, "+"):
			color = ansiGreen
		}
		if color == "" || body == "" {
			sb.WriteString(line)
			continue
		}
		sb.WriteString(color + body + ansiReset + eol)
	}
	return sb.String()
}
