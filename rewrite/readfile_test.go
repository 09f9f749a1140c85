package rewrite

import (
	"bytes"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// osReadFile must read exactly what os.ReadFile reads, whatever the size
// around the point where it reads in halves, and from files whose size
// Stat does not tell: a FIFO, a /proc file that reports 0 bytes (it "grew"
// after Stat) and a /sys file that reports 4096 (it "shrank").
func TestOSReadFileReadsWhatOSReadFileReads(t *testing.T) {
	old := parallelReadSize
	t.Cleanup(func() { parallelReadSize = old })
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, limit := range []int64{0, 1, 7, 1 << 20} {
		parallelReadSize = limit
		for _, size := range []int{0, 1, 2, 3, 511, 512, 513, 4096, 100_001, 1<<20 + 3} {
			want := make([]byte, size)
			for i := range want {
				want[i] = byte(rng.IntN(256))
			}
			name := filepath.Join(dir, "f.conf")
			if err := os.WriteFile(name, want, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := osReadFile(name)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("halves from %d, %d bytes: read %d bytes, err %v", limit, size, len(got), err)
			}
		}
		for _, name := range []string{"/proc/self/cmdline", "/sys/kernel/mm/transparent_hugepage/enabled"} {
			want, err := os.ReadFile(name)
			if err != nil {
				continue // not on this system
			}
			if got, err := osReadFile(name); err != nil || len(got) == 0 || !bytes.Equal(got, want) {
				t.Errorf("halves from %d, %s: read %q, err %v; os.ReadFile read %q", limit, name, got, err, want)
			}
		}
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	want := bytes.Repeat([]byte("ServerName example.com\n"), 100_000)
	go func() {
		if err := os.WriteFile(fifo, want, 0o600); err != nil {
			t.Error(err)
		}
	}()
	if got, err := osReadFile(fifo); err != nil || !bytes.Equal(got, want) {
		t.Errorf("FIFO: read %d bytes, err %v; want %d", len(got), err, len(want))
	}
	if _, err := osReadFile(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: err %v, want not exist", err)
	}
	if _, err := osReadFile(dir); err == nil {
		t.Error("a directory read without an error")
	}
}
