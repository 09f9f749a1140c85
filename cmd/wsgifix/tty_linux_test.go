package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// openPTY returns a pseudo-terminal pair: what is written to tty can be
// read from ctrl.
func openPTY(t *testing.T) (ctrl, tty *os.File) {
	t.Helper()
	ctrl, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ctrl.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Fatal(e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ctrl.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Fatal(e)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ctrl.Close(); tty.Close() })
	return ctrl, tty
}

// onTerminal runs the command with stdout or stderr on a terminal and
// returns what the terminal showed.
func onTerminal(t *testing.T, a *app, stream string, args ...string) string {
	t.Helper()
	ctrl, tty := openPTY(t)
	got := make(chan string)
	go func() {
		b, _ := io.ReadAll(ctrl) // ends with EIO once tty is closed
		got <- string(b)
	}()
	if stream == "stdout" {
		a.stdout = tty
	} else {
		a.stderr = tty
	}
	a.execute(args)
	tty.Close()
	return <-got
}

func writeSite(t *testing.T) string {
	dir := t.TempDir()
	p := filepath.Join(dir, "site.conf")
	if err := os.WriteFile(p, []byte("Listen 80\nServerName\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDiffColoursOnlyOnATerminal(t *testing.T) {
	site := writeSite(t)
	t.Setenv("NO_COLOR", "")
	out := onTerminal(t, &app{stderr: io.Discard, progressDelay: time.Hour}, "stdout", "diff", "--only", "empty-servername", site)
	if !strings.Contains(out, ansiRed+"-ServerName"+ansiReset) || !strings.Contains(out, ansiGreen+"+#ServerName"+ansiReset) {
		t.Errorf("no colours on a terminal: %q", out)
	}

	t.Setenv("NO_COLOR", "1")
	out = onTerminal(t, &app{stderr: io.Discard, progressDelay: time.Hour}, "stdout", "diff", "--only", "empty-servername", site)
	if strings.Contains(out, "\x1b[") || !strings.Contains(out, "+#ServerName") {
		t.Errorf("colours despite NO_COLOR: %q", out)
	}

	t.Setenv("NO_COLOR", "")
	var buf bytes.Buffer
	(&app{stdout: &buf, stderr: io.Discard, progressDelay: time.Hour}).execute([]string{"diff", "--only", "empty-servername", site})
	if strings.Contains(buf.String(), "\x1b[") || !strings.Contains(buf.String(), "+#ServerName") {
		t.Errorf("colours when not on a terminal: %q", buf.String())
	}
}

// /dev/null is a character device but not a terminal: "diff > /dev/null"
// wrote colour codes (and spent a fifth of a big run on them).
func TestNoColoursIntoDevNull(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if useColor(null) {
		t.Error("colour on /dev/null")
	}
	_, tty := openPTY(t)
	if !useColor(tty) {
		t.Error("no colour on a terminal")
	}
}

func TestProgressOnATerminal(t *testing.T) {
	// A configtest that takes a while keeps the run going past the
	// progress delay (here zero), so the writing phase shows.
	site := writeSite(t)
	slow := filepath.Join(t.TempDir(), "slow-apachectl")
	if err := os.WriteFile(slow, []byte("#!/bin/sh\nsleep 0.5\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	out := onTerminal(t, &app{stdout: io.Discard, progressDelay: 0}, "stderr",
		"fix", "--no-backup", "--verify", "--apachectl", slow, "--only", "empty-servername", site)
	if !strings.Contains(out, "wsgifix: writing 1/1 files") {
		t.Errorf("no progress shown: %q", out)
	}
	if !strings.Contains(out, "\r\x1b[K") {
		t.Errorf("progress line not cleared: %q", out)
	}

	// Not on a terminal: never.
	var buf bytes.Buffer
	(&app{stdout: io.Discard, stderr: &buf, progressDelay: 0}).execute([]string{
		"fix", "--no-backup", "--verify", "--apachectl", slow, "--only", "empty-servername", writeSite(t)})
	if strings.Contains(buf.String(), "writing") {
		t.Errorf("progress when not on a terminal: %q", buf.String())
	}
}
