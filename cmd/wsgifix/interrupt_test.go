package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wsgifix/wsgifix/internal/genconf"
	"github.com/wsgifix/wsgifix/rewrite"
)

// TestFixKilledMidBatch SIGKILLs `wsgifix fix` while it rewrites 10,000
// files, once some are written, and checks what a crash can leave: every
// file is exactly its old or its new text, no leftover file is a *.conf
// that httpd or wsgifix would load, and every backup is the original. A
// second run then finishes the job.
func TestFixKilledMidBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 files")
	}
	const n = 10000
	// On a tmpfs when possible: 10,000 fsyncs and removals on a real disk
	// take seconds and prove nothing more about a killed process.
	root, err := tryTmpfs(t, "512m")
	if err != nil {
		root = t.TempDir()
	}
	if err := genconf.WriteTree(root, n); err != nil {
		t.Fatal(err)
	}
	sites := filepath.Join(root, "sites")
	old, want := expectedRewrite(t, sites)
	if len(want) != n {
		t.Fatalf("the engine saw %d files, want %d", len(want), n)
	}

	cmd := exec.Command(wsgifixBinary(t), "fix", sites)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Files are written roughly in load order; watch the first ones and
	// kill as soon as one of them has been replaced.
	watch := loadOrder(n)[:200]
	deadline := time.After(2 * time.Minute)
	killed := false
	for !killed {
		select {
		case err := <-exited:
			t.Fatalf("wsgifix finished (%v) before it could be killed", err)
		case <-deadline:
			_ = cmd.Process.Kill()
			t.Fatal("no file was replaced within two minutes")
		default:
		}
		for _, name := range watch {
			if fi, err := os.Stat(filepath.Join(sites, name)); err == nil && fi.Size() != int64(len(old[name])) {
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				killed = true
				break
			}
		}
		time.Sleep(time.Millisecond)
	}
	<-exited

	written := checkCrashState(t, sites, old, want)
	t.Logf("killed after %d of %d files were replaced", written, n)
	if written == 0 || written == n {
		t.Errorf("%d files replaced: the kill did not land mid-batch", written)
	}

	// Running again completes the batch; nothing already done is redone.
	out, err := exec.Command(wsgifixBinary(t), "fix", sites).CombinedOutput()
	if err != nil {
		t.Fatalf("second run: %v\n%.2000s", err, out)
	}
	if again := checkCrashState(t, sites, old, want); again != n {
		t.Errorf("after the second run %d of %d files are fixed", again, n)
	}
}

// expectedRewrite runs the engine over dir without writing: each file's
// bytes now and after a fix, by base name.
func expectedRewrite(t *testing.T, dir string) (old, new map[string]string) {
	t.Helper()
	res, err := rewrite.Run(context.Background(), rewrite.DefaultOptions(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	old, new = map[string]string{}, map[string]string{}
	for _, f := range res.Files {
		if !f.Changed {
			t.Fatalf("%s: the fix changes nothing; the test needs files that change", f.Path)
		}
		old[filepath.Base(f.Path)] = string(f.Before)
		new[filepath.Base(f.Path)] = string(f.After)
	}
	return old, new
}

// loadOrder is the sites' names in the order wsgifix reads (and starts
// writing) them: bytewise.
func loadOrder(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("site%d.conf", i)
	}
	slices.Sort(names)
	return names
}

// checkCrashState checks every entry of dir and returns how many files
// hold their new text.
func checkCrashState(t *testing.T, dir string, old, new map[string]string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	written, bad := 0, 0
	report := func(format string, args ...any) {
		if bad++; bad <= 10 {
			t.Errorf(format, args...)
		}
	}
	for _, e := range entries {
		name := e.Name()
		body, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case old[name] != "":
			switch string(body) {
			case new[name]:
				written++
			case old[name]:
			default:
				report("%s is neither its old nor its new text (%d bytes)", name, len(body))
			}
		case isBackupOf(name) != "":
			if orig := old[isBackupOf(name)]; string(body) != orig {
				report("backup %s differs from the original", name)
			}
		case strings.HasPrefix(name, ".wsgifix-") && strings.HasSuffix(name, ".tmp"):
			// A temp file the kill interrupted: not *.conf, skipped by
			// httpd's wildcards (leading dot) and by wsgifix.
		default:
			report("unexpected file %s", name)
		}
		if m, _ := filepath.Match("*.conf", name); m && old[name] == "" {
			report("%s matches *.conf but is not a configuration file", name)
		}
	}
	if bad > 10 {
		t.Errorf("... and %d more", bad-10)
	}
	return written
}

// isBackupOf returns the file a backup name belongs to, or "".
func isBackupOf(name string) string {
	i := strings.Index(name, ".wsgifix-bak")
	if i < 0 {
		return ""
	}
	rest := name[i+len(".wsgifix-bak"):]
	if rest != "" && strings.Trim(rest[1:], "0123456789") != "" {
		return ""
	}
	return name[:i]
}
