package rewrite

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/internal/difftest"
)

// diffCases are old/new pairs whose diffs real patch tools must apply byte
// for byte.
var diffCases = []struct{ name, old, new string }{
	{"change-middle", "a\nb\nc\nd\ne\nf\ng\nh\n", "a\nb\nc\nD\ne\nf\ng\nh\n"},
	{"insert-first", "a\nb\n", "x\na\nb\n"},
	{"delete-last", "a\nb\nc\n", "a\nb\n"},
	{"two-hunks", strings.Repeat("l\n", 3) + "x\n" + strings.Repeat("m\n", 10) + "y\n", strings.Repeat("l\n", 3) + "X\n" + strings.Repeat("m\n", 10) + "Y\n"},
	{"joined-hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\nB\n3\n4\n5\n6\n7\nH\n9\n"},
	{"old-no-final-newline", "a\nb\nc", "a\nb\nc\n"},
	{"new-no-final-newline", "a\nb\nc\n", "a\nb\nc"},
	{"both-no-final-newline", "a\nb\nc", "a\nB\nc"},
	{"last-line-changed-no-newline", "a\nb\nc", "a\nb\nC"},
	{"crlf", "a\r\nb\r\nc\r\nd\r\n", "a\r\nB\r\nc\r\nd\r\n"},
	{"crlf-no-final-newline", "a\r\nb\r\nc", "a\r\nb\r\n#c"},
	{"crlf-to-mixed", "a\r\nb\r\nc\r\n", "a\r\nb\r\nx\nc\r\n"},
	{"all-deleted", "a\nb\n", ""},
	{"tabs-and-blanks", "\t<Location />\n  Order deny,allow \n\n</Location>\n", "\t<Location />\n  Require all granted\n\n</Location>\n"},
}

func TestDiffCasesAreWhatTheyClaim(t *testing.T) {
	// Fixtures prove their own feature.
	for _, c := range diffCases {
		if strings.Contains(c.name, "crlf") && !strings.Contains(c.old, "\r\n") {
			t.Errorf("%s: old text has no CRLF", c.name)
		}
		if strings.Contains(c.name, "no-final-newline") && strings.HasSuffix(c.old, "\n") && strings.HasSuffix(c.new, "\n") {
			t.Errorf("%s: both texts end in a newline", c.name)
		}
	}
}

func TestDiffAppliesWithPatch(t *testing.T) {
	tool := needTool(t, "patch")
	for _, c := range allDiffCases() {
		t.Run(c.name, func(t *testing.T) {
			applyAndCompare(t, c.old, c.new, func(dir, diff string) *exec.Cmd {
				cmd := exec.Command(tool, "-p0", "-s", "--no-backup-if-mismatch")
				cmd.Dir, cmd.Stdin = dir, strings.NewReader(diff)
				return cmd
			})
		})
	}
}

func TestDiffAppliesWithGitApply(t *testing.T) {
	tool := needTool(t, "git")
	for _, c := range allDiffCases() {
		t.Run(c.name, func(t *testing.T) {
			applyAndCompare(t, c.old, c.new, func(dir, diff string) *exec.Cmd {
				cmd := exec.Command(tool, "apply", "-p0", "--whitespace=nowarn", "-")
				cmd.Dir, cmd.Stdin = dir, strings.NewReader(diff)
				return cmd
			})
		})
	}
}

// needTool finds a patch tool; under CI a missing tool fails the test.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI: %v", name, err)
		}
		t.Skipf("%s not installed: %v", name, err)
	}
	return p
}

func applyAndCompare(t *testing.T, old, new string, command func(dir, diff string) *exec.Cmd) {
	t.Helper()
	dir := t.TempDir()
	const name = "site.conf"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	diff := Diff(name, []byte(old), []byte(new))
	if old == new {
		if diff != "" {
			t.Fatalf("diff of equal texts is not empty:\n%s", diff)
		}
		return
	}
	cmd := command(dir, diff)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s\ndiff was:\n%s", cmd, err, out, diff)
	}
	got, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, []byte(new)) {
		t.Fatalf("patched file differs from the new text:\n%s\ndiff was:\n%s", difftest.Diff(new, string(got)), diff)
	}
}

type diffCase struct{ name, old, new string }

// allDiffCases adds random edits of a config-like text to the fixed cases.
func allDiffCases() []diffCase {
	var out []diffCase
	for _, c := range diffCases {
		out = append(out, diffCase(c))
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 20; i++ {
		old := randomConfig(rng, 40)
		out = append(out, diffCase{fmt.Sprintf("random-%d", i), old, randomEdit(rng, old)})
	}
	return out
}

func randomConfig(rng *rand.Rand, n int) string {
	words := []string{"ServerName x", "", "Order deny,allow", "Allow from all", "</Location>", "<Location />", "# c", "WSGIProcessGroup w"}
	eol := "\n"
	if rng.Intn(3) == 0 {
		eol = "\r\n"
	}
	var sb strings.Builder
	for i := 0; i < n; i++ {
		sb.WriteString(words[rng.Intn(len(words))] + eol)
	}
	s := sb.String()
	if rng.Intn(3) == 0 {
		s = strings.TrimSuffix(s, eol)
	}
	return s
}

func randomEdit(rng *rand.Rand, s string) string {
	lines := splitLines([]byte(s))
	for k := rng.Intn(5) + 1; k > 0 && len(lines) > 0; k-- {
		i := rng.Intn(len(lines))
		switch rng.Intn(3) {
		case 0:
			lines = append(lines[:i], lines[i+1:]...)
		case 1:
			lines = append(lines[:i], append([]string{"Require all granted\n"}, lines[i:]...)...)
		default:
			lines[i] = "#" + lines[i]
		}
	}
	out := strings.Join(lines, "")
	if rng.Intn(4) == 0 {
		out = strings.TrimRight(out, "\r\n")
	}
	return out
}
