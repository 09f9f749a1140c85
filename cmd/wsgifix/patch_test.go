package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/internal/difftest"
	"github.com/wsgifix/wsgifix/internal/genconf"
)

// patchInputs are broken configs whose fixes the real patch tools must
// reproduce byte for byte from `wsgifix diff`. The corpus example is added
// as found and converted to CRLF and without its final newline.
func patchInputs(t *testing.T) map[string]string {
	in := map[string]string{
		"lf.conf":         "<VirtualHost *:80>\n    ServerName\n</VirtualHost>\n",
		"crlf.conf":       "<VirtualHost *:80>\r\n    ServerName\r\n</VirtualHost>\r\n",
		"no-newline.conf": "<VirtualHost *:80>\nServerName\n</VirtualHost>",
		"last-line.conf":  "Listen 80\nServerName",
		"crlf-last.conf":  "Listen 80\r\nServerName",
	}
	book, err := os.ReadFile("../../testdata/cli/book-http-https.conf")
	if err != nil {
		t.Fatal(err)
	}
	{
		s := string(book)
		in["book.conf"] = s
		in["book-crlf.conf"] = strings.ReplaceAll(s, "\n", "\r\n")
		in["book-no-newline.conf"] = strings.TrimSuffix(s, "\n")
	}
	// Past 4 MB a single config is fixed in parts and, with stdout and
	// stderr apart, its diff is written while the parts are fixed.
	big := string(genconf.Bytes(3200))
	if len(big) < 4<<20 {
		t.Fatalf("big.conf is only %d bytes: not fixed in parts", len(big))
	}
	in["big.conf"] = big
	in["big-crlf.conf"] = strings.ReplaceAll(big, "\n", "\r\n")
	for name, s := range in {
		if strings.Contains(name, "crlf") && !strings.Contains(s, "\r\n") {
			t.Fatalf("%s has no CRLF", name)
		}
		if strings.Contains(name, "no-newline") && strings.HasSuffix(s, "\n") {
			t.Fatalf("%s ends in a newline", name)
		}
	}
	return in
}

// TestDiffAppliesWithRealTools pipes `wsgifix diff` through `patch -p0`
// and `git apply -p0` and requires the result to equal `wsgifix fix -`.
func TestDiffAppliesWithRealTools(t *testing.T) {
	tools := map[string][]string{
		"patch": {"patch", "-p0", "-s", "--no-backup-if-mismatch"},
		"git":   {"git", "apply", "-p0", "--whitespace=nowarn", "-"},
	}
	for name, content := range patchInputs(t) {
		for tool, argv := range tools {
			t.Run(tool+"/"+name, func(t *testing.T) {
				if _, err := exec.LookPath(argv[0]); err != nil {
					if os.Getenv("CI") == "true" {
						t.Fatalf("%s is required under CI: %v", argv[0], err)
					}
					t.Skipf("%s not installed", argv[0])
				}
				dir := t.TempDir()
				t.Chdir(dir)
				if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
				var fixed, diff, errb bytes.Buffer
				if code := run([]string{"fix", "-"}, strings.NewReader(content), &fixed, &errb); code > 1 {
					t.Fatalf("fix - exited %d: %s", code, errb.String())
				}
				if fixed.String() == content {
					t.Fatalf("input %s needs no fix; the test proves nothing", name)
				}
				if code := run([]string{"diff", name}, nil, &diff, &errb); code != 1 {
					t.Fatalf("diff exited %d: %s", code, errb.String())
				}
				cmd := exec.Command(argv[0], argv[1:]...)
				cmd.Dir, cmd.Stdin = dir, bytes.NewReader(diff.Bytes())
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%s: %v\n%s\ndiff:\n%s", argv, err, out, diff.String())
				}
				got, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				if d := difftest.Diff(fixed.String(), string(got)); d != "" {
					t.Errorf("patched file differs from wsgifix fix output:\n%s", d)
				}
			})
		}
	}
}
