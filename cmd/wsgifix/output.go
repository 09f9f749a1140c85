package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/wsgifix/wsgifix/fixes"
	"github.com/wsgifix/wsgifix/rewrite"
)

// writeText prints diffs (diff; unless the run wrote them, diffsWritten)
// on stdout, findings on stdout (check) or stderr (diff, fix, so a diff
// stays a clean patch), errors on stderr, through out. It
// returns the error of writing stdout: a diff or fixed text cut short (a
// full disk under "diff > fix.patch") must not pass for a whole one.
func (a *app) writeText(m mode, res *rewrite.Result, writeErr error, out *streams, diffsWritten bool) error {
	findingsTo := out.stderr
	if m == modeCheck {
		findingsTo = out.stdout
	}
	color := m == modeDiff && useColor(a.stdout)
	for _, f := range res.Files {
		writeFindings(findingsTo(), f.Findings)
		if f.Err != nil {
			fmt.Fprintln(out.stderr(), f.Err)
			continue
		}
		switch {
		case m == modeDiff && f.Changed && !diffsWritten: // else written during the run
			cw := &colorWriter{w: out.stdout(), plain: !color}
			f.WriteDiff(cw)
			cw.flush()
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
	return out.flush()
}

// sameFile reports whether stdout and stderr are one file (a terminal,
// 2>&1), whose reader sees how their lines interleave.
func sameFile(stdout, stderr io.Writer) bool {
	if stdout == stderr {
		return true
	}
	f, ok1 := stdout.(*os.File)
	g, ok2 := stderr.(*os.File)
	if !ok1 || !ok2 {
		return false
	}
	fi, err1 := f.Stat()
	gi, err2 := g.Stat()
	return err1 != nil || err2 != nil || os.SameFile(fi, gi)
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

// flush writes what is buffered and returns stdout's first error (a
// bufio.Writer keeps it); stderr's has nowhere to go.
func (s *streams) flush() error {
	s.err.Flush()
	return s.out.Flush()
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

// writeJSON prints the report; it returns the error of writing it.
func (a *app) writeJSON(m mode, res *rewrite.Result, runErr error) error {
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
	w := bufio.NewWriterSize(a.stdout, 64<<10)
	if err := encodeReport(w, rep); err != nil {
		return err
	}
	return w.Flush()
}

// encodeReport writes rep exactly as a json.Encoder indenting by two
// spaces does, but a finding at a time: encoding a big run's report whole
// built a 50 MB buffer and indented it into another (2 s and 300 MB for
// the 10k-pair config). TestJSONReportAsEncodingJSON holds the two to
// the same bytes.
func encodeReport(w *bufio.Writer, rep jsonReport) error {
	var err error
	put := func(s string) {
		if err == nil {
			_, err = w.WriteString(s)
		}
	}
	value := func(v any, prefix string) {
		if err != nil {
			return
		}
		var b []byte
		if b, err = json.MarshalIndent(v, prefix, "  "); err == nil {
			_, err = w.Write(b)
		}
	}
	// array writes n elements as an indented JSON array whose closing
	// bracket is at indent.
	array := func(n int, indent string, elem func(i int)) {
		put("[")
		for i := range n {
			if i > 0 {
				put(",")
			}
			put("\n" + indent + "  ")
			elem(i)
		}
		if n > 0 {
			put("\n" + indent)
		}
		put("]")
	}
	var buf []byte
	put("{\n  \"command\": ")
	value(rep.Command, "  ")
	put(",\n  \"files\": ")
	array(len(rep.Files), "  ", func(i int) {
		f := rep.Files[i]
		put("{\n      \"path\": ")
		value(f.Path, "      ")
		put(",\n      \"changed\": ")
		value(f.Changed, "      ")
		put(",\n      \"findings\": ")
		array(len(f.Findings), "      ", func(k int) {
			buf = appendFinding(buf[:0], f.Findings[k], "        ")
			if err == nil {
				_, err = w.Write(buf)
			}
		})
		put(",\n      \"diff\": ")
		if err == nil {
			buf, err = writeJSONString(w, f.Diff, buf)
		}
		put(",\n      \"backup\": ")
		value(f.Backup, "      ")
		put(",\n      \"written\": ")
		value(f.Written, "      ")
		if f.Output != nil {
			put(",\n      \"output\": ")
			if err == nil {
				buf, err = writeJSONString(w, *f.Output, buf)
			}
		}
		put(",\n      \"error\": ")
		value(f.Error, "      ")
		put("\n    }")
	})
	put(",\n  \"error\": ")
	value(rep.Error, "  ")
	put("\n}\n")
	return err
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

// colorWriter colours a unified diff as git does, line by line as it is
// written (a big config's diff is never held as one string); line endings
// stay outside the colour codes.
type colorWriter struct {
	w       io.Writer
	plain   bool   // no colours: pass the bytes through
	partial []byte // a line not yet ended
}

func (c *colorWriter) Write(p []byte) (int, error) {
	if c.plain {
		return c.w.Write(p)
	}
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			c.partial = append(c.partial, p...)
			break
		}
		line := p[:i+1]
		if len(c.partial) > 0 { // the line began in an earlier write
			c.partial = append(c.partial, line...)
			line = c.partial
		}
		if err := c.line(line); err != nil {
			return 0, err
		}
		c.partial = c.partial[:0]
		p = p[i+1:]
	}
	return n, nil
}

// flush writes a last line that has no newline.
func (c *colorWriter) flush() error {
	if len(c.partial) == 0 {
		return nil
	}
	err := c.line(c.partial)
	c.partial = c.partial[:0]
	return err
}

func (c *colorWriter) line(line []byte) error {
	body := bytes.TrimRight(line, "\r\n")
	eol := line[len(body):]
	color := ""
	switch {
	case bytes.HasPrefix(body, []byte("--- ")), bytes.HasPrefix(body, []byte("+++ ")):
		color = ansiBold
	case bytes.HasPrefix(body, []byte("@@")):
		color = ansiCyan
	case bytes.HasPrefix(body, []byte("-")):
		color = ansiRed
	case bytes.HasPrefix(body, []byte("+")):
		color = ansiGreen
	}
	if color == "" || len(body) == 0 {
		_, err := c.w.Write(line)
		return err
	}
	_, err := fmt.Fprintf(c.w, "%s%s%s%s", color, body, ansiReset, eol)
	return err
}

// writeFindings writes findings one per line. A big run's are formatted
// on another goroutine, a chunk at a time, while the chunk before is
// written: 120,000 findings are 24.5 MB, and a pipe takes them no faster
// than they are formatted.
func writeFindings(w io.Writer, findings []fixes.Finding) {
	const chunk = 256 << 10
	if len(findings) < bigFindings {
		var line []byte
		for _, fd := range findings {
			line = append(fd.AppendText(line[:0]), '\n')
			w.Write(line)
		}
		return
	}
	// Three buffers go round: one being filled, one being written, one
	// waiting; free hands them back.
	full, free := make(chan []byte, 2), make(chan []byte, 3)
	for range 3 {
		free <- make([]byte, 0, chunk+4096)
	}
	go func() {
		defer close(full)
		b := <-free
		for _, fd := range findings {
			b = append(fd.AppendText(b), '\n')
			if len(b) >= chunk {
				full <- b
				b = (<-free)[:0]
			}
		}
		full <- b
	}()
	for b := range full {
		w.Write(b)
		free <- b
	}
}

// bigFindings is how many findings a file needs before writeFindings
// formats them on the side (a variable for tests).
var bigFindings = 8192
