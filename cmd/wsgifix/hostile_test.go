package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wsgifix/wsgifix/internal/genconf"
	"github.com/wsgifix/wsgifix/rewrite"
)

// The hostile-input catalog of SAFETY.md: each input goes through the real
// command in its own process, under a timeout, so that a hang fails the
// test instead of stalling it. Each case states the exit code, the stderr
// lines and what must hold on disk afterwards.

// hostileTimeout bounds every command; the slowest case takes well under
// a second.
const hostileTimeout = time.Minute

type hostileCase struct {
	name   string
	files  map[string]string // created before the run; "->x" is a symlink
	setup  func(t *testing.T)
	args   []string
	exit   []int    // accepted exit codes
	stderr []string // regexps, each must match a line
	check  func(t *testing.T, stderr string)
}

func TestHostileInputs(t *testing.T) {
	long := "ServerAlias " + strings.Repeat("a", 20<<20) + "\n"
	nested := strings.Repeat("<IfModule mod_wsgi.c>\n", 10000) + "WSGIRestrictEmbedded On\n" + strings.Repeat("</IfModule>\n", 10000)
	unclosed := strings.Repeat("<Location /x>\n", 10000) + "Require all granted\n"
	quotes := "<VirtualHost *:80>\nServerName \"www.example.org\n<Location \"/admin>\nRequire all denied\n</Location>\n</VirtualHost>\n"
	tags := "<VirtualHost *:80\nServerName a\n</VirtualHost\n"
	noise, noiseNUL := randomConfig(1, 64<<10)
	// A config big enough to be fixed in parts, which is then never parsed
	// whole: its NUL byte is found when the parts are planned.
	big := string(genconf.Bytes(3200))
	at := strings.Index(big[len(big)/2:], "WSGIDaemonProcess") + len(big)/2
	bigNUL := big[:at] + "\x00" + big[at:]
	bigNULAt := fmt.Sprintf(`^big\.conf:%d:%d: NUL byte in configuration text$`,
		strings.Count(big[:at], "\n")+1, at-strings.LastIndexByte(big[:at], '\n'))

	cases := []hostileCase{{
		name:   "nul-bytes",
		files:  map[string]string{"nul.conf": "Listen 80\nBogus\x00 here\n", "ok.conf": nvhBroken},
		args:   []string{"fix", "--only", "name-virtual-host", "nul.conf", "ok.conf"},
		exit:   []int{exitError},
		stderr: []string{`^nul\.conf:2:6: NUL byte in configuration text$`, `^wsgifix: fixed ok\.conf `},
		check: func(t *testing.T, _ string) {
			wantFile(t, "nul.conf", "Listen 80\nBogus\x00 here\n")
			wantFile(t, "ok.conf", nvhFixed)
			wantDir(t, ".", "nul.conf", "ok.conf", "ok.conf.wsgifix-bak")
		},
	}, {
		name:   "big-file-with-nul",
		files:  map[string]string{"big.conf": bigNUL},
		args:   []string{"fix", "big.conf"},
		exit:   []int{exitError},
		stderr: []string{bigNULAt},
		check: func(t *testing.T, _ string) {
			wantFile(t, "big.conf", bigNUL)
			wantDir(t, ".", "big.conf")
		},
	}, {
		name:   "random-bytes-with-nul",
		files:  map[string]string{"random.conf": noiseNUL},
		args:   []string{"fix", "random.conf"},
		exit:   []int{exitError},
		stderr: []string{`^random\.conf:\d+:\d+: NUL byte in configuration text$`},
		check: func(t *testing.T, _ string) {
			wantFile(t, "random.conf", noiseNUL)
			wantDir(t, ".", "random.conf")
		},
	}, {
		// Whatever the passes make of noise, the next run changes nothing;
		// unless typeset-chars replaced characters, which may reveal a tag
		// section-tags could not see (fixes.FuzzPipeline's property): then
		// the one after.
		name:  "random-bytes",
		files: map[string]string{"random.conf": noise},
		args:  []string{"fix", "random.conf"},
		exit:  []int{exitClean, exitPending},
		check: func(t *testing.T, stderr string) {
			wantFile(t, "random.conf.wsgifix-bak", noise)
			if regexp.MustCompile(`(?m)^random\.conf:\d+:\d+: \[typeset-chars\] .*: replaced by `).MatchString(stderr) {
				runWsgifix(t, "fix", "random.conf")
			}
			settled := readString(t, "random.conf")
			code, stderr := runWsgifix(t, "fix", "random.conf")
			if code == exitError || strings.Contains(stderr, "wsgifix: fixed") {
				t.Errorf("a further fix exited %d and wrote:\n%.2000s", code, stderr)
			}
			wantFile(t, "random.conf", settled)
		},
	}, {
		name:   "20MB-line",
		files:  map[string]string{"long.conf": long + nvhBroken},
		args:   []string{"fix", "--only", "name-virtual-host", "long.conf"},
		exit:   []int{exitClean},
		stderr: []string{`^wsgifix: fixed long\.conf `},
		check: func(t *testing.T, _ string) {
			wantSame(t, "long.conf", long+nvhFixed)
			wantSame(t, "long.conf.wsgifix-bak", long+nvhBroken)
		},
	}, {
		name:  "10000-nested-sections",
		files: map[string]string{"nested.conf": nested},
		args:  []string{"check", "nested.conf"},
		exit:  []int{exitClean},
	}, {
		// Closed where each block ends; the result is clean.
		name:   "10000-unclosed-sections",
		files:  map[string]string{"unclosed.conf": unclosed},
		args:   []string{"fix", "--only", "section-tags", "unclosed.conf"},
		exit:   []int{exitClean},
		stderr: []string{`^unclosed\.conf:10000:1: \[section-tags\] section "<Location>" is not closed`},
		check: func(t *testing.T, _ string) {
			wantSame(t, "unclosed.conf", strings.Repeat("<Location /x>\n", 10000)+"Require all granted\n"+strings.Repeat("</Location>\n", 10000))
			if code, stderr := runWsgifix(t, "check", "unclosed.conf"); code != exitClean || stderr != "" {
				t.Errorf("check after fix exited %d:\n%.2000s", code, stderr)
			}
		},
	}, {
		// httpd reads an unterminated quote to the end of the line and
		// accepts this file (apache2 -t: Syntax OK), so it is left alone.
		name:  "unterminated-quotes",
		files: map[string]string{"quotes.conf": quotes},
		args:  []string{"fix", "quotes.conf"},
		exit:  []int{exitClean},
		check: func(t *testing.T, _ string) {
			wantFile(t, "quotes.conf", quotes)
			wantDir(t, ".", "quotes.conf")
		},
	}, {
		name:  "unterminated-tags",
		files: map[string]string{"tags.conf": tags},
		args:  []string{"fix", "tags.conf"},
		exit:  []int{exitClean},
		stderr: []string{
			`^tags\.conf:1:1: \[section-tags\] open tag "<VirtualHost" lacks its '>': added`,
			`^tags\.conf:3:1: \[section-tags\] close tag "</VirtualHost" lacks its '>': added`,
		},
		check: func(t *testing.T, _ string) {
			wantFile(t, "tags.conf", "<VirtualHost *:80>\nServerName a\n</VirtualHost>\n")
		},
	}, {
		// Each real file once; loops are not followed round.
		name: "directory-symlink-loop",
		files: map[string]string{
			"conf/a.conf": nvhBroken, "conf/loop": "->.", "conf/sub/up": "->../..", "conf/sub/b.conf": nvhBroken,
		},
		args:   []string{"fix", "--only", "name-virtual-host", "conf"},
		exit:   []int{exitClean},
		stderr: []string{`^wsgifix: fixed conf/a\.conf `, `^wsgifix: fixed conf/sub/b\.conf `},
		check: func(t *testing.T, _ string) {
			wantFile(t, "conf/a.conf", nvhFixed)
			wantFile(t, "conf/sub/b.conf", nvhFixed)
		},
	}, {
		// httpd refuses the cycle too; the file holding the Include that
		// closes it is not written.
		name:   "include-cycle",
		files:  map[string]string{"main.conf": "Include a.conf\n", "a.conf": "Include main.conf\n" + nvhBroken},
		args:   []string{"fix", "--include", "main.conf"},
		exit:   []int{exitError},
		stderr: []string{`^a\.conf:1:1: include cycle: main\.conf -> a\.conf -> main\.conf$`},
		check: func(t *testing.T, _ string) {
			wantFile(t, "a.conf", "Include main.conf\n"+nvhBroken)
			wantDir(t, ".", "a.conf", "main.conf")
		},
	}, {
		name:  "fifo-and-device",
		files: map[string]string{"ok.conf": nvhBroken, "zero.conf": "->/dev/zero"},
		setup: mkfifo("pipe.conf"),
		args:  []string{"fix", "--only", "name-virtual-host", "pipe.conf", "/dev/zero", "zero.conf", "ok.conf"},
		exit:  []int{exitError},
		stderr: []string{
			`^pipe\.conf: not a regular file \(named pipe\); not read$`,
			`^/dev/zero: not a regular file \(character device\); not read$`,
			`^wsgifix: fixed ok\.conf `,
		},
		check: func(t *testing.T, _ string) {
			if fi, err := os.Lstat("pipe.conf"); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
				t.Errorf("pipe.conf is no longer a FIFO (%v)", err)
			}
			wantFile(t, "ok.conf", nvhFixed)
		},
	}, {
		name:   "fifo-in-directory",
		files:  map[string]string{"sites/ok.conf": nvhBroken},
		setup:  mkfifo("sites/pipe.conf"),
		args:   []string{"fix", "--only", "name-virtual-host", "sites"},
		exit:   []int{exitError},
		stderr: []string{`^sites/pipe\.conf: not a regular file \(named pipe\); not read$`, `^wsgifix: fixed sites/ok\.conf `},
	}, {
		name:  "over-size-limit",
		files: map[string]string{"ok.conf": nvhBroken},
		setup: func(t *testing.T) {
			// Sparse: takes no disk space.
			if err := os.WriteFile("big.conf", nil, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate("big.conf", rewrite.MaxFileSize+1); err != nil {
				t.Fatal(err)
			}
		},
		args:   []string{"fix", "--only", "name-virtual-host", "big.conf", "ok.conf"},
		exit:   []int{exitError},
		stderr: []string{`^big\.conf: file too large \(over 256 MiB\); not read$`, `^wsgifix: fixed ok\.conf `},
		check: func(t *testing.T, _ string) {
			wantDir(t, ".", "big.conf", "ok.conf", "ok.conf.wsgifix-bak")
		},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			writeTree(t, c.files)
			if c.setup != nil {
				c.setup(t)
			}
			code, stderr := runWsgifix(t, c.args...)
			if !containsInt(c.exit, code) {
				t.Errorf("exit %d, want one of %v\n%.3000s", code, c.exit, stderr)
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "internal error") {
				t.Errorf("crash:\n%.3000s", stderr)
			}
			for _, re := range c.stderr {
				if !regexp.MustCompile(`(?m)` + re).MatchString(stderr) {
					t.Errorf("stderr has no line matching %s:\n%.3000s", re, stderr)
				}
			}
			if c.check != nil {
				c.check(t, stderr)
			}
		})
	}
}

// TestHostileUnreadableFile: root reads everything, so EACCES comes from
// the file-system hook then; otherwise from a real chmod 000.
func TestHostileUnreadableFile(t *testing.T) {
	t.Chdir(t.TempDir())
	writeTree(t, map[string]string{"locked.conf": nvhBroken, "ok.conf": nvhBroken})
	var code int
	var stderr, want string
	if os.Getuid() == 0 {
		var errOut bytes.Buffer
		a := &app{stdout: &bytes.Buffer{}, stderr: &errOut, progressDelay: time.Hour,
			fsys: &faultFS{op: "ReadFile", under: "locked.conf", errno: syscall.EACCES}}
		code = a.execute([]string{"fix", "--only", "name-virtual-host", "locked.conf", "ok.conf"})
		stderr, want = errOut.String(), "locked.conf: readfile: permission denied\n"
	} else {
		if err := os.Chmod("locked.conf", 0); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod("locked.conf", 0o644)
		code, stderr = runWsgifix(t, "fix", "--only", "name-virtual-host", "locked.conf", "ok.conf")
		want = "locked.conf: open: permission denied\n"
	}
	if code != exitError || !strings.HasPrefix(stderr, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant exit %d and first line %q", code, stderr, exitError, want)
	}
	_ = os.Chmod("locked.conf", 0o644)
	wantFile(t, "locked.conf", nvhBroken)
	wantFile(t, "ok.conf", nvhFixed)
	wantDir(t, ".", "locked.conf", "ok.conf", "ok.conf.wsgifix-bak")
}

// runWsgifix runs the command in the current directory under
// hostileTimeout and returns its exit code and stderr.
func runWsgifix(t *testing.T, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hostileTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, wsgifixBinary(t), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("wsgifix %s: still running after %v (killed)", strings.Join(args, " "), hostileTimeout)
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), stderr.String()
	case err != nil:
		t.Fatal(err)
	}
	return 0, stderr.String()
}

func mkfifo(name string) func(t *testing.T) {
	return func(t *testing.T) {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(name, 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	}
}

// writeTree creates files relative to the current directory; a content
// "->target" makes a symlink.
func writeTree(t *testing.T, files map[string]string) {
	t.Helper()
	for name, content := range files {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, name); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// randomConfig returns n bytes of deterministic noise built from
// configuration fragments (tags, quotes, continuations, typeset
// characters, CRLF) and raw bytes; once without NUL, once with some.
func randomConfig(seed int64, n int) (clean, withNUL string) {
	rng := rand.New(rand.NewSource(seed))
	frags := []string{
		"<VirtualHost *:80>\n", "</VirtualHost>\n", "<Location />\n", "</Location>>\n", "<locationmatch>\n",
		"<virualhost *:443>\n", "ServerName\n", "WSGIDaemonProcess web2py home=/srv/w/\n",
		"WSGIScriptAlias / /srv/w/\n", "Alias / /srv/w/applications/\n", "Order deny,allow\n",
		"Allow from all\n", "NameVirtualHost*:80\n", "\\\n", "\"", "'", "\xcb\x86", "\xe2\x80\x9c", "\xc2\xa0",
		"\r\n", "# comment \\\n", "\t", " ", ">", "<",
	}
	var b []byte
	for len(b) < n {
		if rng.Intn(3) == 0 {
			b = append(b, byte(1+rng.Intn(255)))
		} else {
			b = append(b, frags[rng.Intn(len(frags))]...)
		}
	}
	clean = string(b[:n])
	nul := []byte(clean)
	for i := 0; i < 5; i++ {
		nul[rng.Intn(n)] = 0
	}
	return clean, string(nul)
}

func readString(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantSame compares big files without printing them.
func wantSame(t *testing.T, name, want string) {
	t.Helper()
	if got := readString(t, name); got != want {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Errorf("%s: %d bytes, want %d; first difference at byte %d", name, len(got), len(want), i)
	}
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
