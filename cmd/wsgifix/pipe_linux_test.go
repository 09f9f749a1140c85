package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func pipeSize(t *testing.T, f *os.File) int {
	t.Helper()
	n, _, errno := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), fGetPipeSize, 0)
	if errno != 0 {
		t.Fatalf("F_GETPIPE_SZ: %v", errno)
	}
	return int(n)
}

// The pipe a run writes into is grown to 1 MiB, or to what the system
// allows when that is less; the default is 64 KiB.
func TestGrowPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	before := pipeSize(t, w)
	want := outputPipeSize
	if b, err := os.ReadFile("/proc/sys/fs/pipe-max-size"); err == nil {
		if max, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && max < want {
			want = max
		}
	}
	growPipe(w)
	if got := pipeSize(t, w); got < want {
		t.Fatalf("pipe holds %d bytes after growPipe (before: %d), want %d", got, before, want)
	}
	// The read end shares the buffer: both ends see the new size.
	if got := pipeSize(t, r); got < want {
		t.Fatalf("read end holds %d bytes, want %d", got, want)
	}
}

// A regular file is left alone, and so is anything that is not a file.
func TestGrowPipeLeavesFilesAlone(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	growPipe(f)
	growPipe(&strings.Builder{})
	if _, err := f.WriteString("still writable\n"); err != nil {
		t.Fatal(err)
	}
}
