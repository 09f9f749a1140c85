package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/internal/difftest"
	"github.com/wsgifix/wsgifix/rewrite"
)

// The playbook tests run the example playbook (ansible/examples/site.yml)
// and the role with real ansible-playbook over an inventory of local
// hosts, each with its own copy of the broken web2py example.

// TestPlaybookFleet: --check --diff changes nothing and reports every host
// changed; a real run fixes every host with backups and runs the handler;
// a second run reports changed=0 everywhere and runs no handler.
func TestPlaybookFleet(t *testing.T) {
	f := newFleet(t)
	example := readExample(t)
	for i := 1; i <= 12; i++ {
		layout := func(t *testing.T, dir string) string { return writeSingle(t, dir, example) }
		var vars map[string]any
		switch {
		case i%4 == 0: // the main config, its Include lines followed
			layout = func(t *testing.T, dir string) string { return writeDebianMain(t, dir, example) }
			vars = map[string]any{"wsgifix_include": true}
		case i%2 == 0:
			layout = func(t *testing.T, dir string) string { return writeDebian(t, dir, example) }
		}
		f.addHost(t, fmt.Sprintf("web%02d", i), layout, vars)
	}
	hostsRoot := filepath.Join(f.dir, "hosts")
	want := expectFixed(t, f.hosts)
	original := snapshotTree(t, hostsRoot)

	check := f.run(t, "--check", "--diff")
	assertRecap(t, "check", check, f.hosts, map[string]int{"changed": 1, "failed": 0, "unreachable": 0})
	if d := difftest.Diff(describeTree(original), describeTree(snapshotTree(t, hostsRoot))); d != "" {
		t.Fatalf("--check wrote files or ran the handler:\n%s", d)
	}
	for _, h := range f.hosts {
		assertList(t, h.name+" --diff headers", want[h.name].names, check.diffs[h.name])
	}

	apply := f.run(t)
	// changed=2: the fix task and the reload handler (the configtest
	// handler never reports a change).
	assertRecap(t, "apply", apply, f.hosts, map[string]int{"changed": 2, "failed": 0, "unreachable": 0})
	for _, h := range f.hosts {
		for _, marker := range []string{"configtested", "reloaded"} {
			m := filepath.Join(h.dir, marker)
			if !fileExists(m) {
				t.Errorf("%s: handler did not run: no %s", h.name, m)
			}
			if err := os.Remove(m); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
		for real, after := range want[h.name].after {
			rel, _ := filepath.Rel(hostsRoot, real)
			assertFile(t, real, after)
			assertFile(t, real+".wsgifix-bak", original[rel])
		}
		for _, name := range want[h.name].names {
			if fi, err := os.Lstat(name); err != nil || (fi.Mode()&os.ModeSymlink != 0) != strings.Contains(name, "sites-enabled") {
				t.Errorf("%s: symlink kind changed (%v)", name, err)
			}
		}
	}
	fixed := snapshotTree(t, hostsRoot)

	again := f.run(t)
	assertRecap(t, "second run", again, f.hosts, map[string]int{"changed": 0, "failed": 0, "unreachable": 0})
	if d := difftest.Diff(describeTree(fixed), describeTree(snapshotTree(t, hostsRoot))); d != "" {
		t.Errorf("second run wrote files, backups or handler markers:\n%s", d)
	}
}

// TestPlaybookFailures: hosts with an unwritable file, bad arguments or a
// failing configtest fail alone, with a message saying why and their files
// untouched, while the other hosts of the same run are fixed.
func TestPlaybookFailures(t *testing.T) {
	f := newFleet(t)
	example := readExample(t)
	var good []*fleetHost
	for i := 1; i <= 7; i++ {
		layout := func(t *testing.T, dir string) string { return writeSingle(t, dir, example) }
		if i%2 == 0 {
			layout = func(t *testing.T, dir string) string { return writeDebian(t, dir, example) }
		}
		good = append(good, f.addHost(t, fmt.Sprintf("ok%02d", i), layout, nil))
	}
	var locked, how string
	f.addHost(t, "readonly", func(t *testing.T, dir string) string {
		locked, how = unwritableConf(t, dir, example)
		return locked
	}, nil)
	t.Logf("readonly host: %s", how)
	single := func(t *testing.T, dir string) string { return writeSingle(t, dir, example) }
	f.addHost(t, "badscope", single, map[string]any{"wsgifix_daemon_scope": "sideways"})
	f.addHost(t, "badtype", single, map[string]any{"wsgifix_only": 5})
	f.addHost(t, "badverify", single, map[string]any{"wsgifix_apachectl": "false"})
	bad := f.hosts[len(good):]
	conflict := f.addHost(t, "conflict", func(t *testing.T, dir string) string {
		return writeSingle(t, dir, []byte(conflictingDaemons))
	}, nil)
	want := expectFixed(t, good)
	before := map[string]map[string]string{}
	for _, h := range bad {
		before[h.name] = snapshotTree(t, h.dir)
	}

	p := f.run(t)
	if p.code != 2 {
		t.Errorf("ansible-playbook exit status %d, want 2 (some hosts failed)", p.code)
	}
	assertRecap(t, "good hosts", p, good, map[string]int{"changed": 2, "failed": 0, "unreachable": 0})
	assertRecap(t, "bad hosts", p, bad, map[string]int{"changed": 0, "failed": 1, "unreachable": 0})
	// An error no pass can fix is not a failure, but Ansible shows it.
	assertRecap(t, "unfixable host", p, []*fleetHost{conflict}, map[string]int{"changed": 0, "failed": 0, "unreachable": 0})
	if flat := strings.Join(strings.Fields(p.out), " "); !regexp.MustCompile(`\[WARNING\]: \S*/conflict/conf/web2py\.conf:4:1: \[duplicate-daemon\] [^\[]*\(not fixed\)`).MatchString(flat) {
		t.Errorf("no [WARNING] for the unfixed error on host conflict:\n%s", p.out)
	}
	if len(p.recap) != len(f.hosts) {
		t.Errorf("PLAY RECAP lists %d hosts, want %d", len(p.recap), len(f.hosts))
	}
	for _, h := range good {
		for real, after := range want[h.name].after {
			assertFile(t, real, after)
		}
		if !fileExists(filepath.Join(h.dir, "reloaded")) {
			t.Errorf("%s: fixed but not reloaded", h.name)
		}
	}
	msgs := map[string]func(string) bool{
		"readonly": func(m string) bool {
			return strings.HasPrefix(m, locked+": ") && containsAny(m, "operation not permitted", "file name too long")
		},
		"badscope":  equals(`argument "daemon_scope": invalid --daemon-scope "sideways": want vhost or global`),
		"badtype":   equals(`argument "only": want a list of strings or a comma-separated string, got number 5`),
		"badverify": equals(`verify: "false" failed (exit status 1); every file of the run was restored`),
	}
	for _, h := range bad {
		msg, _ := p.fatal[h.name]["msg"].(string)
		if !msgs[h.name](msg) {
			t.Errorf("%s: task message %q does not say why it failed", h.name, msg)
		}
		// Untouched: same files, no backup, no temp file, no handler marker.
		if d := difftest.Diff(describeTree(before[h.name]), describeTree(snapshotTree(t, h.dir))); d != "" {
			t.Errorf("%s failed but its directory changed:\n%s", h.name, d)
		}
	}
}

func TestAnsibleGate(t *testing.T) {
	missing := errors.New(`exec: "ansible-playbook": executable file not found in $PATH`)
	for _, tc := range []struct {
		mode, ci string
		missing  error
		want     gateResult
	}{
		{"", "", nil, gateRun},
		{"", "", missing, gateSkip},
		{"", "false", missing, gateSkip},
		{"", "true", missing, gateFail},
		{"1", "", missing, gateFail},
		{"1", "true", nil, gateRun},
		{"0", "", nil, gateOff},
		{"0", "true", missing, gateOff},
	} {
		if got := ansibleGate(tc.mode, tc.ci, tc.missing); got != tc.want {
			t.Errorf("WSGIFIX_ANSIBLE=%q CI=%q missing=%v: got %d, want %d", tc.mode, tc.ci, tc.missing, got, tc.want)
		}
	}
}

// fixedHost is what a host's configuration should become.
type fixedHost struct {
	names []string          // the files as the module names them (diff headers)
	after map[string]string // real file -> fixed content
}

// expectFixed runs the engine directly, with the role's default policies,
// on each host's still-broken files: what the playbook must produce.
func expectFixed(t *testing.T, hosts []*fleetHost) map[string]fixedHost {
	t.Helper()
	out := map[string]fixedHost{}
	for _, h := range hosts {
		opts := rewrite.DefaultOptions()
		opts.Include = h.vars["wsgifix_include"] == true
		res, err := rewrite.Run(context.Background(), opts, []string{h.path})
		if err != nil {
			t.Fatal(err)
		}
		fh := fixedHost{after: map[string]string{}}
		for _, file := range res.Files {
			if file.Err != nil {
				t.Fatal(file.Err)
			}
			if opts.Include && file.Path == h.path && !file.Changed {
				continue // the main config only includes the sites
			}
			if !file.Changed {
				t.Fatalf("%s: the example needs no change, so the test proves nothing", file.Path)
			}
			fh.names = append(fh.names, file.Path)
			fh.after[file.Real] = string(file.After)
		}
		sort.Strings(fh.names)
		out[h.name] = fh
	}
	return out
}

// assertRecap checks the PLAY RECAP counts of every host in hosts.
func assertRecap(t *testing.T, step string, p play, hosts []*fleetHost, want map[string]int) {
	t.Helper()
	var wantText, gotText strings.Builder
	for _, h := range hosts {
		got, ok := p.recap[h.name]
		if !ok {
			t.Fatalf("%s: %s is missing from the PLAY RECAP:\n%s", step, h.name, p.out)
		}
		for _, k := range sortedKeys(want) {
			fmt.Fprintf(&wantText, "%s %s=%d\n", h.name, k, want[k])
			fmt.Fprintf(&gotText, "%s %s=%d\n", h.name, k, got[k])
		}
	}
	if d := difftest.Diff(wantText.String(), gotText.String()); d != "" {
		t.Errorf("%s: PLAY RECAP differs:\n%s\nansible output:\n%s", step, d, p.out)
	}
}

func equals(want string) func(string) bool {
	return func(got string) bool { return got == want }
}
