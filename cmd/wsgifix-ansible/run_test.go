package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/ast"
	"github.com/wsgifix/wsgifix/fixes"
	"github.com/wsgifix/wsgifix/internal/difftest"
)

// callModule runs the module as Ansible does, with args written to a file,
// and checks that stdout is one JSON object and nothing else, and that the
// exit status agrees with "failed".
func callModule(t *testing.T, args map[string]any) result {
	t.Helper()
	data, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "args")
	writeFile(t, file, data)
	var stdout bytes.Buffer
	code := run([]string{"wsgifix", file}, &stdout)
	return decodeOne(t, stdout.Bytes(), code)
}

// decodeOne decodes the module's stdout, which must hold exactly one JSON
// object.
func decodeOne(t *testing.T, out []byte, code int) result {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	var res result
	if err := dec.Decode(&res); err != nil {
		t.Fatalf("stdout is not one result object: %v\n%s", err, out)
	}
	if rest := strings.TrimSpace(string(out[dec.InputOffset():])); rest != "" {
		t.Fatalf("stdout holds more than one JSON object; after it: %q", rest)
	}
	if want := map[bool]int{false: 0, true: 1}[res.Failed]; code != want {
		t.Errorf("exit status %d with failed=%v, want %d", code, res.Failed, want)
	}
	for name, list := range map[string]any{"findings": res.Findings, "files": res.Files, "backup_files": res.BackupFiles} {
		if !bytes.Contains(out, []byte(`"`+name+`":[`)) {
			t.Errorf("%s is not a JSON list (%v) in %s", name, list, out)
		}
	}
	return res
}

func TestRunAlwaysPrintsOneObject(t *testing.T) {
	dir := t.TempDir()
	badJSON := filepath.Join(dir, "bad")
	writeFile(t, badJSON, []byte(`{"path": `))
	unknown := filepath.Join(dir, "unknown")
	writeFile(t, unknown, []byte(`{"path": "/x", "colour": "blue"}`))
	good := filepath.Join(dir, "good")
	writeFile(t, good, []byte(`{"path": "/x"}`))
	panics := func(moduleArgs) result { panic("boom") }
	tests := []struct {
		name string
		args []string
		do   func(moduleArgs) result
		msg  string
	}{
		{"no args file", []string{"wsgifix"}, execute, "usage: wsgifix ARGS_FILE: want one argument, the JSON arguments file Ansible writes, got 0"},
		{"two args files", []string{"wsgifix", good, good}, execute, "usage: wsgifix ARGS_FILE: want one argument, the JSON arguments file Ansible writes, got 2"},
		{"missing args file", []string{"wsgifix", filepath.Join(dir, "nope")}, execute, "arguments file: open " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"truncated JSON", []string{"wsgifix", badJSON}, execute, "arguments file: want a JSON object (unexpected EOF)"},
		{"unknown argument", []string{"wsgifix", unknown}, execute, `unsupported argument "colour"; supported: apache, apachectl, backup, daemon_conflict, daemon_scope, enable, include, only, path, paths, server_name, server_root, skip, verify, wsgi_script`},
		{"missing path", []string{"wsgifix", good}, execute, "/x: stat: no such file or directory"},
		{"panic", []string{"wsgifix", good}, panics, "internal error: boom (nothing more was written)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout bytes.Buffer
			code := runWith(tt.args, &stdout, tt.do)
			res := decodeOne(t, stdout.Bytes(), code)
			if !res.Failed || res.Changed {
				t.Errorf("failed=%v changed=%v, want failed and unchanged", res.Failed, res.Changed)
			}
			if d := difftest.Diff(tt.msg+"\n", res.Msg+"\n"); d != "" {
				t.Errorf("msg differs:\n%s", d)
			}
			if tt.name == "panic" && !strings.Contains(res.Exception, "runWith") {
				t.Errorf("exception holds no stack: %q", res.Exception)
			}
		})
	}
}

// TestRunCheckApplyRerun follows one Debian-style host through check mode,
// a real run and a second run.
func TestRunCheckApplyRerun(t *testing.T) {
	root := t.TempDir()
	enabled := writeDebian(t, root, readExample(t))
	original := snapshotTree(t, root)
	names := []string{filepath.Join(enabled, "web2py-ssl.conf"), filepath.Join(enabled, "web2py.conf")}
	reals := []string{filepath.Join(root, "sites-available", "web2py-ssl.conf"), filepath.Join(root, "sites-available", "web2py.conf")}

	check := callModule(t, map[string]any{"path": enabled, "_ansible_check_mode": true, "_ansible_diff": true})
	if check.Failed || !check.Changed {
		t.Fatalf("check mode: failed=%v changed=%v msg=%q, want a pending change", check.Failed, check.Changed, check.Msg)
	}
	if d := difftest.Diff(describeTree(original), describeTree(snapshotTree(t, root))); d != "" {
		t.Fatalf("check mode wrote to disk:\n%s", d)
	}
	assertList(t, "check mode files", names, check.Files)
	assertList(t, "check mode backup_files", nil, check.BackupFiles)
	if len(check.Diff) != len(names) {
		t.Fatalf("check mode: %d diff entries, want %d", len(check.Diff), len(names))
	}
	after := map[string]string{}
	for i, d := range check.Diff {
		if d.BeforeHeader != names[i] || d.AfterHeader != names[i] {
			t.Errorf("diff %d headers %q/%q, want %q", i, d.BeforeHeader, d.AfterHeader, names[i])
		}
		rel, _ := filepath.Rel(root, reals[i])
		if dd := difftest.Diff(original[rel], d.Before); dd != "" {
			t.Errorf("diff %d: before is not the file on disk:\n%s", i, dd)
		}
		if d.After == d.Before {
			t.Errorf("diff %d: after equals before", i)
		}
		after[reals[i]] = d.After
	}
	if len(check.Findings) == 0 {
		t.Errorf("check mode: no findings for the broken example")
	}

	apply := callModule(t, map[string]any{"path": enabled, "_ansible_diff": true})
	if apply.Failed || !apply.Changed {
		t.Fatalf("apply: failed=%v changed=%v msg=%q", apply.Failed, apply.Changed, apply.Msg)
	}
	assertList(t, "apply files", names, apply.Files)
	assertList(t, "apply backup_files", []string{reals[0] + ".wsgifix-bak", reals[1] + ".wsgifix-bak"}, apply.BackupFiles)
	for _, real := range reals {
		rel, _ := filepath.Rel(root, real)
		assertFile(t, real+".wsgifix-bak", original[rel])
		assertFile(t, real, after[real]) // what check mode said it would write
	}
	for _, name := range names {
		if fi, err := os.Lstat(name); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symlink (%v)", name, err)
		}
	}
	fixed := snapshotTree(t, root)

	again := callModule(t, map[string]any{"path": enabled, "_ansible_diff": true})
	if again.Failed || again.Changed {
		t.Fatalf("second run: failed=%v changed=%v msg=%q, want nothing to do", again.Failed, again.Changed, again.Msg)
	}
	assertList(t, "second run files", nil, again.Files)
	assertList(t, "second run backup_files", nil, again.BackupFiles)
	if len(again.Diff) != 0 {
		t.Errorf("second run returned %d diff entries", len(again.Diff))
	}
	if d := difftest.Diff(describeTree(fixed), describeTree(snapshotTree(t, root))); d != "" {
		t.Errorf("second run touched the disk:\n%s", d)
	}
}

func TestRunFindingsAndMsg(t *testing.T) {
	conf := writeSingle(t, t.TempDir(), readExample(t))
	res := callModule(t, map[string]any{"path": conf, "_ansible_check_mode": true})
	file := filepath.Join(conf, "web2py.conf")
	fixed := 0
	for _, f := range res.Findings {
		if f.File != file || f.Line < 1 || f.Col < 1 || f.Message == "" {
			t.Errorf("finding without a position or message: %+v", f)
		}
		if _, ok := fixes.Lookup(f.Pass); !ok {
			t.Errorf("finding names unknown pass %q", f.Pass)
		}
		if f.Severity != "error" && f.Severity != "warning" && f.Severity != "advice" {
			t.Errorf("finding severity %q", f.Severity)
		}
		if f.Fixed {
			fixed++
		}
	}
	want := "would change 1 of 1 file; " + strconv.Itoa(len(res.Findings)) + " findings, " + strconv.Itoa(fixed) + " fixed"
	if !strings.HasPrefix(res.Msg, want) {
		t.Errorf("msg %q, want it to start with %q", res.Msg, want)
	}
}

func TestUnfixedErrorsBecomeWarnings(t *testing.T) {
	list := []fixes.Finding{
		{File: "a.conf", Pos: ast.Pos{Line: 3, Col: 1}, Pass: "duplicate-daemon", Severity: fixes.Error, Message: `daemon "web2py" defined twice`},
		{File: "a.conf", Pos: ast.Pos{Line: 4, Col: 1}, Pass: "section-tags", Severity: fixes.Error, Fixed: true, Message: "fixed one"},
		{File: "a.conf", Pos: ast.Pos{Line: 5, Col: 1}, Pass: "daemon-sizing", Severity: fixes.Advice, Message: "too many processes"},
	}
	got := strings.Join(unfixedErrors(list), "\n") + "\n"
	want := "a.conf:3:1: [duplicate-daemon] daemon \"web2py\" defined twice (not fixed)\n"
	if d := difftest.Diff(want, got); d != "" {
		t.Errorf("warnings differ:\n%s", d)
	}
}

func TestRunNoBackup(t *testing.T) {
	root := t.TempDir()
	conf := writeSingle(t, root, readExample(t))
	res := callModule(t, map[string]any{"path": conf, "backup": false})
	if res.Failed || !res.Changed {
		t.Fatalf("failed=%v changed=%v msg=%q", res.Failed, res.Changed, res.Msg)
	}
	assertList(t, "backup_files", nil, res.BackupFiles)
	assertList(t, "backups on disk", nil, backupsBelow(t, root))
}

func TestRunVerify(t *testing.T) {
	tests := []struct {
		name, apachectl, msg string
	}{
		{"passes", "true", ""},
		{"fails and restores", "false", `verify: "false" failed (exit status 1); every file of the run was restored`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			example := readExample(t)
			conf := writeSingle(t, root, example)
			res := callModule(t, map[string]any{"path": conf, "verify": true, "apachectl": tt.apachectl})
			file := filepath.Join(conf, "web2py.conf")
			if tt.msg == "" {
				if res.Failed || !res.Changed {
					t.Fatalf("failed=%v changed=%v msg=%q", res.Failed, res.Changed, res.Msg)
				}
				assertList(t, "backups on disk", []string{"conf/web2py.conf.wsgifix-bak"}, backupsBelow(t, root))
				return
			}
			if !res.Failed || res.Changed {
				t.Errorf("failed=%v changed=%v, want failed and unchanged", res.Failed, res.Changed)
			}
			if d := difftest.Diff(tt.msg+"\n", res.Msg+"\n"); d != "" {
				t.Errorf("msg differs:\n%s", d)
			}
			assertFile(t, file, string(example))
			assertList(t, "files", nil, res.Files)
			assertList(t, "backups on disk", nil, backupsBelow(t, root))
		})
	}
}

// TestRunUnwritableFile: a file root cannot replace fails the task with its
// name and the cause, stays byte-identical, and the other file of the run
// is still fixed.
func TestRunUnwritableFile(t *testing.T) {
	root := t.TempDir()
	example := readExample(t)
	locked, how := unwritableConf(t, root, example)
	t.Logf("unwritable by: %s", how)
	other := filepath.Join(root, "other", "site.conf")
	otherOriginal := "<VirtualHost *:80>\nServerName\n</VirtualHost>\n"
	writeFile(t, other, []byte(otherOriginal))

	res := callModule(t, map[string]any{"paths": []string{locked, other}})
	if !res.Failed {
		t.Fatalf("failed=false, want a failure for %s; msg=%q", locked, res.Msg)
	}
	if !strings.HasPrefix(res.Msg, locked+": ") || !containsAny(res.Msg, "operation not permitted", "file name too long") {
		t.Errorf("msg %q does not name %s and the cause", res.Msg, locked)
	}
	assertFile(t, locked, string(example))
	entries, _ := os.ReadDir(filepath.Dir(locked))
	if len(entries) != 1 {
		t.Errorf("%s holds %d entries, want only the config (no temp file, no backup)", filepath.Dir(locked), len(entries))
	}
	if !res.Changed {
		t.Errorf("changed=false, but %s should have been fixed", other)
	}
	assertList(t, "files", []string{other}, res.Files)
	assertList(t, "backup_files", []string{other + ".wsgifix-bak"}, res.BackupFiles)
	assertFile(t, other+".wsgifix-bak", otherOriginal)
}

func assertList(t *testing.T, what string, want, got []string) {
	t.Helper()
	want, got = append([]string(nil), want...), append([]string(nil), got...)
	sort.Strings(want)
	sort.Strings(got)
	if d := difftest.Diff(lines(want), lines(got)); d != "" {
		t.Errorf("%s differ:\n%s", what, d)
	}
}

func assertFile(t *testing.T, path, want string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	if d := difftest.Diff(want, string(got)); d != "" {
		t.Errorf("%s differs:\n%s", path, d)
	}
}

func lines(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return strings.Join(list, "\n") + "\n"
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func TestRunWarnsWhenNothingFound(t *testing.T) {
	empty := t.TempDir()
	res := callModule(t, map[string]any{"path": empty})
	if res.Failed || res.Changed {
		t.Fatalf("failed=%v changed=%v msg=%q, want an unchanged success", res.Failed, res.Changed, res.Msg)
	}
	assertList(t, "warnings", []string{"no *.conf files in " + empty}, res.Warnings)
	if want := "changed 0 of 0 files; 0 findings, 0 fixed"; res.Msg != want {
		t.Errorf("msg %q, want %q", res.Msg, want)
	}
}

func TestRunUnfixedErrorIsAWarning(t *testing.T) {
	conf := writeSingle(t, t.TempDir(), []byte(conflictingDaemons))
	res := callModule(t, map[string]any{"path": conf})
	if res.Failed || res.Changed {
		t.Fatalf("failed=%v changed=%v msg=%q, want an unchanged success", res.Failed, res.Changed, res.Msg)
	}
	if len(res.Warnings) == 0 || !strings.HasSuffix(res.Warnings[0], "(not fixed)") {
		t.Errorf("warnings %q, want the unfixed conflict", res.Warnings)
	}
	if want := "; 1 error left to fix by hand (see warnings)"; !strings.HasSuffix(res.Msg, want) {
		t.Errorf("msg %q, want it to end with %q", res.Msg, want)
	}
}

// With include, the module takes a main config and fixes what it
// includes, as httpd reads it; without, the main config alone has
// nothing to fix.
func TestRunFollowsIncludes(t *testing.T) {
	root := t.TempDir()
	writeDebian(t, root, readExample(t))
	main := filepath.Join(root, "apache2.conf")
	writeFile(t, main, []byte("# main\nIncludeOptional sites-enabled/*.conf\n"))
	original := snapshotTree(t, root)

	alone := callModule(t, map[string]any{"path": main, "_ansible_check_mode": true})
	if alone.Failed || alone.Changed {
		t.Fatalf("without include: failed=%v changed=%v msg=%q, want nothing to do", alone.Failed, alone.Changed, alone.Msg)
	}

	enabled := filepath.Join(root, "sites-enabled")
	names := []string{filepath.Join(enabled, "web2py-ssl.conf"), filepath.Join(enabled, "web2py.conf")}
	check := callModule(t, map[string]any{"path": main, "include": true, "server_root": root, "_ansible_check_mode": true})
	if check.Failed || !check.Changed {
		t.Fatalf("include, check mode: failed=%v changed=%v msg=%q", check.Failed, check.Changed, check.Msg)
	}
	assertList(t, "include check mode files", names, check.Files)
	if d := difftest.Diff(describeTree(original), describeTree(snapshotTree(t, root))); d != "" {
		t.Fatalf("check mode wrote to disk:\n%s", d)
	}

	apply := callModule(t, map[string]any{"path": main, "include": true})
	if apply.Failed || !apply.Changed {
		t.Fatalf("include: failed=%v changed=%v msg=%q", apply.Failed, apply.Changed, apply.Msg)
	}
	assertList(t, "include files", names, apply.Files)
	assertFile(t, main, original["apache2.conf"])
	if again := callModule(t, map[string]any{"path": main, "include": true}); again.Failed || again.Changed {
		t.Errorf("second run: failed=%v changed=%v msg=%q", again.Failed, again.Changed, again.Msg)
	}
}
