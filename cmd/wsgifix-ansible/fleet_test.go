package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// requireAnsible returns ansible-playbook and the python it runs on, or
// skips or fails t as ansibleGate decides.
func requireAnsible(t *testing.T) (playbook, python string) {
	t.Helper()
	mode, ci := os.Getenv("WSGIFIX_ANSIBLE"), os.Getenv("CI")
	playbook, err := exec.LookPath("ansible-playbook")
	switch ansibleGate(mode, ci, err) {
	case gateOff:
		t.Skip("ansible: WSGIFIX_ANSIBLE=0, skipped")
	case gateFail:
		t.Fatalf("ansible: %v (WSGIFIX_ANSIBLE=%q CI=%q: the playbook tests must run here; install ansible-core)", err, mode, ci)
	case gateSkip:
		t.Skipf("ansible: skipped, %v (install ansible-core, or set WSGIFIX_ANSIBLE=1 to make this a failure)", err)
	}
	return playbook, pythonOf(playbook)
}

type gateResult int

const (
	gateRun  gateResult = iota
	gateOff             // switched off with WSGIFIX_ANSIBLE=0
	gateSkip            // ansible-playbook is missing and nobody asked for the tests
	gateFail            // ansible-playbook is missing and the tests were asked for
)

// ansibleGate decides from WSGIFIX_ANSIBLE, CI and whether ansible-playbook
// was found (missing == nil): under CI=true or WSGIFIX_ANSIBLE=1 a missing
// ansible-playbook is a failure, never a skip. It is the e2e suite's switch.
func ansibleGate(mode, ci string, missing error) gateResult {
	switch {
	case mode == "0":
		return gateOff
	case missing == nil:
		return gateRun
	case mode == "1" || ci == "true":
		return gateFail
	}
	return gateSkip
}

// pythonOf is the interpreter named by ansible-playbook's #! line, the
// python that has ansible's libraries, else python3 from PATH.
func pythonOf(script string) string {
	if f, err := os.Open(script); err == nil {
		defer f.Close()
		line, _ := bufio.NewReader(f).ReadString('\n')
		if fields := strings.Fields(strings.TrimPrefix(line, "#!")); strings.HasPrefix(line, "#!") && len(fields) > 0 {
			if filepath.Base(fields[0]) != "env" {
				return fields[0]
			}
			if len(fields) > 1 {
				if p, err := exec.LookPath(fields[1]); err == nil {
					return p
				}
			}
		}
	}
	if p, err := exec.LookPath("python3"); err == nil {
		return p
	}
	return "/usr/bin/python3"
}

// fleet is a temp copy of the role and example playbook with the module
// built into the role's library/, and the hosts it runs on: all local,
// each with its own configuration directory.
type fleet struct {
	dir      string // temp root: ansible.cfg, inventory, hosts/
	playbook string // ansible-playbook
	python   string
	site     string // the copied example playbook
	hosts    []*fleetHost
}

type fleetHost struct {
	name string
	dir  string         // hosts/NAME: its config and the handler's markers
	path string         // what wsgifix_paths names
	vars map[string]any // host vars beyond wsgifix_paths
}

// newFleet copies ansible/ into a temp dir and builds the module into the
// copied role, as `make ansible-module` does for the real one.
func newFleet(t *testing.T) *fleet {
	t.Helper()
	playbook, python := requireAnsible(t)
	f := &fleet{dir: t.TempDir(), playbook: playbook, python: python}
	role := filepath.Join(f.dir, "ansible", "roles", "wsgifix")
	for _, sub := range []string{"tasks", "handlers", "defaults", "meta"} {
		copyDir(t, filepath.Join("..", "..", "ansible", "roles", "wsgifix", sub), filepath.Join(role, sub))
	}
	copyDir(t, filepath.Join("..", "..", "ansible", "examples"), filepath.Join(f.dir, "ansible", "examples"))
	f.site = filepath.Join(f.dir, "ansible", "examples", "site.yml")
	build := exec.Command(goTool(), "build", "-trimpath", "-o", filepath.Join(role, "library", "wsgifix"), ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build the module: %v\n%s", err, out)
	}
	cfg := fmt.Sprintf(`[defaults]
forks = 10
host_key_checking = False
stdout_callback = default
retry_files_enabled = False
local_tmp = %[1]s/tmp-local
remote_tmp = %[1]s/tmp-remote
nocows = 1
`, f.dir)
	writeFile(t, filepath.Join(f.dir, "ansible.cfg"), []byte(cfg))
	return f
}

// goTool is the go command that runs the tests: `go test` puts its own
// GOROOT/bin first on the test's PATH.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go"
}

// addHost gives the fleet a host named name whose configuration layout
// writes; vars are its host variables (role overrides).
func (f *fleet) addHost(t *testing.T, name string, layout func(t *testing.T, dir string) string, vars map[string]any) *fleetHost {
	t.Helper()
	h := &fleetHost{name: name, dir: filepath.Join(f.dir, "hosts", name), vars: vars}
	h.path = layout(t, h.dir)
	f.hosts = append(f.hosts, h)
	return h
}

// writeInventory writes the inventory as YAML (in its JSON form): one
// group web2py, every host local, with the handler's commands replaced by
// ones that leave marker files in the host's directory and never touch the
// machine's httpd.
func (f *fleet) writeInventory(t *testing.T) string {
	t.Helper()
	trueCmd, err := exec.LookPath("true")
	if err != nil {
		t.Fatal(err)
	}
	hosts := map[string]any{}
	for _, h := range f.hosts {
		vars := map[string]any{"wsgifix_paths": []string{h.path}, "wsgifix_test_dir": h.dir}
		for k, v := range h.vars {
			vars[k] = v
		}
		hosts[h.name] = vars
	}
	inv := map[string]any{"all": map[string]any{"children": map[string]any{"web2py": map[string]any{
		"hosts": hosts,
		"vars": map[string]any{
			"ansible_connection":         "local",
			"ansible_python_interpreter": f.python,
			"wsgifix_verify":             true,
			"wsgifix_apachectl":          trueCmd,
			"wsgifix_configtest_command": "touch {{ wsgifix_test_dir }}/configtested",
			"wsgifix_reload_command":     "touch {{ wsgifix_test_dir }}/reloaded",
		},
	}}}}
	data, err := json.MarshalIndent(inv, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(f.dir, "inventory.yml")
	writeFile(t, path, data)
	return path
}

// play is one ansible-playbook run.
type play struct {
	out   string
	code  int
	recap map[string]map[string]int // host -> ok, changed, failed…
	fatal map[string]map[string]any // host -> the failed task's result
	diffs map[string][]string       // host -> "--- before:" headers shown
}

// run runs the example playbook over the fleet with extra flags.
func (f *fleet) run(t *testing.T, flags ...string) play {
	t.Helper()
	inv := f.writeInventory(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	args := append([]string{"-i", inv, f.site}, flags...)
	cmd := exec.CommandContext(ctx, f.playbook, args...)
	cmd.Dir = f.dir
	cmd.Env = append(os.Environ(),
		"ANSIBLE_CONFIG="+filepath.Join(f.dir, "ansible.cfg"),
		"ANSIBLE_HOME="+filepath.Join(f.dir, "home"),
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(f.dir, "tmp-local"),
		"ANSIBLE_REMOTE_TEMP="+filepath.Join(f.dir, "tmp-remote"),
		"ANSIBLE_HOST_KEY_CHECKING=False",
		"ANSIBLE_STDOUT_CALLBACK=default",
		"ANSIBLE_FORKS=10",
		"ANSIBLE_NOCOLOR=1",
		"ANSIBLE_RETRY_FILES_ENABLED=False",
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	p := play{out: out.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		p.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("ansible-playbook %s: %v\n%s", strings.Join(flags, " "), err, p.out)
	}
	p.recap = parseRecap(p.out)
	p.fatal = parseFatal(t, p.out)
	p.diffs = parseDiffHeaders(p.out)
	t.Logf("ansible-playbook %s: exit %d\n%s", strings.Join(flags, " "), p.code, recapText(p.out))
	return p
}

var recapField = regexp.MustCompile(`(\w+)=(\d+)`)

// parseRecap reads the PLAY RECAP: "host : ok=1 changed=1 unreachable=0 …".
func parseRecap(out string) map[string]map[string]int {
	recap := map[string]map[string]int{}
	_, after, ok := strings.Cut(out, "PLAY RECAP")
	if !ok {
		return recap
	}
	for _, line := range strings.Split(after, "\n")[1:] {
		host, counts, ok := strings.Cut(line, " : ")
		if !ok {
			continue
		}
		m := map[string]int{}
		for _, kv := range recapField.FindAllStringSubmatch(counts, -1) {
			m[kv[1]], _ = strconv.Atoi(kv[2])
		}
		recap[strings.TrimSpace(host)] = m
	}
	return recap
}

// recapText is the PLAY RECAP block as ansible printed it.
func recapText(out string) string {
	if i := strings.Index(out, "PLAY RECAP"); i >= 0 {
		return strings.TrimSpace(out[i:])
	}
	return "(no PLAY RECAP)\n" + out
}

var fatalLine = regexp.MustCompile(`(?m)^fatal: \[([^\]]+)\]: FAILED! => (\{.*\})$`)

// parseFatal decodes the result ansible prints for each failed host.
func parseFatal(t *testing.T, out string) map[string]map[string]any {
	t.Helper()
	fatal := map[string]map[string]any{}
	for _, m := range fatalLine.FindAllStringSubmatch(out, -1) {
		var res map[string]any
		if err := json.Unmarshal([]byte(m[2]), &res); err != nil {
			t.Fatalf("fatal result for %s is not JSON: %v\n%s", m[1], err, m[2])
		}
		fatal[m[1]] = res
	}
	return fatal
}

var diffHeader = regexp.MustCompile(`(?m)^--- before: (.*)$`)

// parseDiffHeaders maps each host to the files --diff showed for it: a
// diff comes before the "changed: [host]" line of its task.
func parseDiffHeaders(out string) map[string][]string {
	diffs := map[string][]string{}
	var pending []string
	for _, line := range strings.Split(out, "\n") {
		if m := diffHeader.FindStringSubmatch(line); m != nil {
			pending = append(pending, m[1])
			continue
		}
		if host, ok := strings.CutPrefix(line, "changed: ["); ok && len(pending) > 0 {
			host, _, _ = strings.Cut(host, "]")
			diffs[host] = append(diffs[host], pending...)
			pending = nil
		}
	}
	return diffs
}

// copyDir copies the regular files of src into dst (one level).
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dst, e.Name()), data)
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
