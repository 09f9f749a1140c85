package e2e

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/internal/difftest"
)

// sharedCorpus is the project's shared corpus, beside the repository (CI
// checks it out there). Each file in it must have a case copying it.
const sharedCorpus = "../../shared/corpus"

// TestAcceptance runs every case against real httpd + mod_wsgi, one after
// the other (each starts httpd on the same ports), and prints one line per
// case so the CI log shows what ran.
func TestAcceptance(t *testing.T) {
	bin := requireHTTPD(t)
	cases, err := loadCases()
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, sharedCorpusCases(t, cases)...)
	wsgifix := &wsgifixTool{dir: t.TempDir()}
	for _, c := range cases {
		var failed []string
		ran := false
		ok := t.Run(c.name, func(t *testing.T) { ran = true; failed = runCase(t, bin, wsgifix, c) })
		if !ran { // filtered out by -run
			continue
		}
		line := fmt.Sprintf("e2e %s: ok", c.name)
		if !ok {
			line = fmt.Sprintf("e2e %s: FAIL %s", c.name, strings.Join(failed, ", "))
		}
		t.Log(line)
		fmt.Println(line)
	}
}

// sharedCorpusCases returns a case for each shared corpus file whose bytes
// differ from its copy under testdata/e2e (identical ones already ran as
// that case), and fails for a corpus file no case copies.
func sharedCorpusCases(t *testing.T, cases []*testCase) []*testCase {
	files, _ := filepath.Glob(filepath.Join(sharedCorpus, "*.conf"))
	if len(files) == 0 {
		t.Logf("e2e: no %s here: the corpus runs from its copies in %s only", sharedCorpus, casesDir)
		return nil
	}
	byCorpus := map[string]*testCase{}
	for _, c := range cases {
		if c.spec.Corpus != "" {
			byCorpus[c.spec.Corpus] = c
		}
	}
	var out []*testCase
	for _, f := range files {
		name := filepath.Base(f)
		c, ok := byCorpus[name]
		if !ok {
			t.Errorf("e2e: %s has no case: add %s/<case>/ with \"corpus\": %q", f, casesDir, name)
			continue
		}
		shared, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(shared, c.files[name]) {
			line := fmt.Sprintf("e2e corpus/%s: same bytes as case %s, ran there", name, c.name)
			t.Log(line)
			fmt.Println(line)
			continue
		}
		copied := *c
		copied.name = "corpus/" + name
		copied.files = map[string][]byte{name: shared}
		out = append(out, &copied)
	}
	return out
}

// runCase runs a case's steps as subtests and returns the failed ones.
func runCase(t *testing.T, bin string, wsgifix *wsgifixTool, c *testCase) (failed []string) {
	t.Logf("%s: %s", c.name, c.spec.Doc)
	sb := newSandbox(t, bin, c)
	step := func(name string, f func(*testing.T)) bool {
		ok := t.Run(name, f)
		if !ok {
			failed = append(failed, name)
		}
		return ok
	}
	t.Cleanup(func() {
		if t.Failed() {
			logTree(t, "wsgifix's output (or the input, if it did not run)", sb.caseDir())
		}
	})
	if !step("original", sb.checkOriginal) {
		return failed
	}
	if c.spec.Valid {
		// The input is already right: serve it as it is. This is how the
		// harness is validated on the hand-written expected example, and
		// the "fix" step then proves wsgifix leaves it alone.
		failed = append(failed, sb.serveAndCheck(t, step, "input")...)
	}
	if !step("fix", func(t *testing.T) { sb.fix(t, wsgifix) }) {
		return failed
	}
	if !c.spec.Valid {
		failed = append(failed, sb.serveAndCheck(t, step, "output")...)
	}
	step(checkSecondRun, func(t *testing.T) {
		if why, skip := c.spec.Skip[checkSecondRun]; skip {
			t.Skip(why)
		}
		sb.secondRun(t, wsgifix)
	})
	return failed
}

// checkOriginal: the original fails `apache2 -t` with the error FACTS.md
// predicts, or, when valid or only unsafe, passes it.
func (sb *sandbox) checkOriginal(t *testing.T) {
	pm, err := choosePorts(sb.c, false)
	if err != nil {
		t.Fatal(err)
	}
	m, err := sb.render("original", sb.caseDir(), pm, true)
	if err != nil {
		t.Fatal(err)
	}
	out, ok := configtest(sb.bin, m.path())
	out = strings.ReplaceAll(out, sb.confDirPrefix("original"), "")
	if want := sb.c.spec.OriginalError; want != "" {
		if ok {
			t.Fatalf("the original passes apache2 -t, want it to fail with %q:\n%s", want, out)
		}
		if !strings.Contains(out, want) {
			t.Fatalf("apache2 -t on the original: want %q in its output:\n%s", want, out)
		}
		t.Logf("the original fails as predicted: %s", strings.TrimSpace(out))
		return
	}
	if !ok {
		t.Fatalf("the original should pass apache2 -t:\n%s", out)
	}
	if sb.c.spec.OriginalLeaks {
		sb.checkOriginalLeaks(t)
	}
}

// checkOriginalLeaks serves the unsafe original and requires the leak check
// to catch it: the check can fail, so its passing on the output means
// something.
func (sb *sandbox) checkOriginalLeaks(t *testing.T) {
	s, err := sb.serve(t, "original-served", sb.caseDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.stop()
	leaks, err := s.leaks()
	if err != nil {
		t.Fatal(err)
	}
	if len(leaks) == 0 {
		t.Fatal("the original serves no file under the web2py root: the case does not show what it claims, or the leak check is blind")
	}
	t.Logf("the original leaks, as expected (%d probes), e.g. %s", len(leaks), leaks[0])
}

// serveAndCheck runs "configtest" (the configuration in sandbox/case passes
// `apache2 -t`, without mod_access_compat unless --apache 2.2) and, if it
// passes, every served check.
func (sb *sandbox) serveAndCheck(t *testing.T, step func(string, func(*testing.T)) bool, label string) []string {
	var s *served
	if !step("configtest", func(t *testing.T) {
		var err error
		if s, err = sb.serve(t, label, sb.caseDir(), sb.c.spec.Apache == "2.2"); err != nil {
			t.Fatal(err)
		}
	}) || s == nil { // s is nil when -run filtered configtest out
		return nil
	}
	defer s.stop() // runs on t.Fatal and panics too, and frees the ports for the next case
	failed := s.runServedChecks(t)
	if len(failed) > 0 {
		t.Log(s.httpd.logTail(30))
	}
	return failed
}

// fix runs `wsgifix fix --no-backup` on the case and checks what it did to
// the files: exit code, no new files, symlinks kept, line endings kept,
// valid input untouched.
func (sb *sandbox) fix(t *testing.T, wsgifix *wsgifixTool) {
	before, err := snapshot(sb.caseDir())
	if err != nil {
		t.Fatal(err)
	}
	args := append(append([]string{"fix", "--no-backup"}, sb.c.spec.Flags...), sb.c.spec.FixPaths...)
	res := wsgifix.run(t, sb.caseDir(), args...)
	t.Logf("wsgifix %s: exit %d\n%s%s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
	if res.code != sb.c.spec.FixExit {
		t.Errorf("exit code %d, want %d", res.code, sb.c.spec.FixExit)
	}
	after, err := snapshot(sb.caseDir())
	if err != nil {
		t.Fatal(err)
	}
	if d := difftest.Diff(strings.Join(sortedKeys(before), "\n"), strings.Join(sortedKeys(after), "\n")); d != "" {
		t.Errorf("the files in the case directory changed (want the same names, no backups or temp files):\n%s", d)
	}
	changed := false
	for name, was := range before {
		now := after[name]
		if strings.HasPrefix(was, "-> ") && now != was {
			t.Errorf("%s: the symlink %s became %.60q", name, was, now)
		}
		if now == was {
			continue
		}
		changed = true
		if sb.c.spec.Valid {
			t.Errorf("%s is valid and must come out unchanged:\n%s", name, difftest.Diff(was, now))
		}
		if sb.c.spec.CRLF && strings.Count(now, "\n") != strings.Count(now, "\r\n") {
			t.Errorf("%s: the input uses CRLF but the output has bare LF line endings", name)
		}
	}
	if !changed && !sb.c.spec.Valid {
		t.Error("wsgifix changed nothing")
	}
}

// secondRun: `wsgifix diff` on the output finds nothing to change.
func (sb *sandbox) secondRun(t *testing.T, wsgifix *wsgifixTool) {
	args := append(append([]string{"diff"}, sb.c.spec.Flags...), sb.c.spec.FixPaths...)
	res := wsgifix.run(t, sb.caseDir(), args...)
	if res.code != 0 || res.stdout != "" {
		t.Errorf("wsgifix %s on its own output: exit %d (want 0), diff (want none):\n%s%s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
	}
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// logTree logs every file of dir, for a failing case's log.
func logTree(t *testing.T, what, dir string) {
	files, err := snapshot(dir)
	if err != nil {
		t.Log(err)
		return
	}
	var b strings.Builder
	for _, name := range sortedKeys(files) {
		fmt.Fprintf(&b, "--- %s ---\n%s\n", name, files[name])
	}
	t.Logf("%s:\n%s", what, b.String())
}
