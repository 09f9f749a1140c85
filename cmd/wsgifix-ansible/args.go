package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wsgifix/wsgifix/fixes"
)

// moduleArgs are the task's arguments, checked and with defaults filled in.
type moduleArgs struct {
	Paths      []string
	Include    bool   // follow Include/IncludeOptional from each path, as httpd does
	ServerRoot string // resolves relative Include paths; "" means the main config's ServerRoot or directory
	Backup     bool
	Verify     bool
	Apachectl  string
	Fix        fixes.Options
	Only       []string
	Skip       []string
	Enable     []string
	CheckMode  bool // _ansible_check_mode: write nothing
	Diff       bool // _ansible_diff: return a diff entry per changed file
}

// defaultArgs are the values of arguments the task leaves out.
func defaultArgs() moduleArgs {
	return moduleArgs{Backup: true, Apachectl: "apachectl -t", Fix: fixes.DefaultOptions()}
}

// setter stores one argument's value; name is the argument, for messages.
type setter func(a *moduleArgs, name string, v any) error

// params lists every argument the module takes. Anything else that does not
// start with "_ansible_" is an error, so a typo never passes silently.
var params = map[string]setter{
	"path":            setPath,
	"paths":           setPaths,
	"include":         func(a *moduleArgs, n string, v any) error { return setBool(&a.Include, n, v) },
	"server_root":     setServerRoot,
	"backup":          func(a *moduleArgs, n string, v any) error { return setBool(&a.Backup, n, v) },
	"verify":          func(a *moduleArgs, n string, v any) error { return setBool(&a.Verify, n, v) },
	"apachectl":       func(a *moduleArgs, n string, v any) error { return setText(&a.Apachectl, n, v) },
	"daemon_scope":    func(a *moduleArgs, n string, v any) error { return setText(&a.Fix.DaemonScope, n, v) },
	"daemon_conflict": func(a *moduleArgs, n string, v any) error { return setText(&a.Fix.DaemonConflict, n, v) },
	"server_name":     func(a *moduleArgs, n string, v any) error { return setText(&a.Fix.ServerName, n, v) },
	"wsgi_script":     func(a *moduleArgs, n string, v any) error { return setText(&a.Fix.WSGIScript, n, v) },
	"apache":          func(a *moduleArgs, n string, v any) error { return setVersion(&a.Fix.Apache, n, v) },
	"only":            func(a *moduleArgs, n string, v any) error { return setList(&a.Only, n, v) },
	"skip":            func(a *moduleArgs, n string, v any) error { return setList(&a.Skip, n, v) },
	"enable":          func(a *moduleArgs, n string, v any) error { return setList(&a.Enable, n, v) },
}

// internalParams are the _ansible_* arguments the module acts on; the
// others (verbosity, no_log, tmpdir…) mean nothing to it.
var internalParams = map[string]setter{
	"_ansible_check_mode": func(a *moduleArgs, n string, v any) error { return setBool(&a.CheckMode, n, v) },
	"_ansible_diff":       func(a *moduleArgs, n string, v any) error { return setBool(&a.Diff, n, v) },
}

// parseArgs reads the JSON object Ansible wrote to the arguments file.
func parseArgs(data []byte) (moduleArgs, error) {
	a := defaultArgs()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // keeps 2.4 as written, and tells numbers from strings
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return a, fmt.Errorf("arguments file: want a JSON object (%v)", errOrNull(err))
	}
	var pathSeen []string
	for _, name := range sortedKeys(raw) {
		v := raw[name]
		set, ok := params[name]
		if !ok {
			set, ok = internalParams[name]
		}
		switch {
		case !ok && strings.HasPrefix(name, "_ansible_"):
			continue
		case !ok:
			return a, fmt.Errorf("unsupported argument %q; supported: %s", name, strings.Join(sortedKeys(params), ", "))
		case v == nil:
			continue // a null (e.g. `server_name:` with no value) leaves the default
		}
		if name == "path" || name == "paths" {
			pathSeen = append(pathSeen, name)
		}
		if err := set(&a, name, v); err != nil {
			return a, err
		}
	}
	if len(pathSeen) > 1 {
		return a, errors.New(`arguments "path" and "paths" are mutually exclusive`)
	}
	if len(a.Paths) == 0 {
		return a, errors.New(`one of the arguments "path" or "paths" is required`)
	}
	return a, checkPolicies(a)
}

func errOrNull(err error) string {
	if err == nil {
		return "got null"
	}
	return err.Error()
}

// checkPolicies validates each policy and pass name under the argument
// that set it, so the message names what the user wrote.
func checkPolicies(a moduleArgs) error {
	policies := []struct {
		name string
		set  func(*fixes.Options)
	}{
		{"daemon_scope", func(o *fixes.Options) { o.DaemonScope = a.Fix.DaemonScope }},
		{"daemon_conflict", func(o *fixes.Options) { o.DaemonConflict = a.Fix.DaemonConflict }},
		{"server_name", func(o *fixes.Options) { o.ServerName = a.Fix.ServerName }},
		{"wsgi_script", func(o *fixes.Options) { o.WSGIScript = a.Fix.WSGIScript }},
		{"apache", func(o *fixes.Options) { o.Apache = a.Fix.Apache }},
	}
	for _, p := range policies {
		o := fixes.DefaultOptions()
		p.set(&o)
		if err := o.Validate(); err != nil {
			return fmt.Errorf("argument %q: %v", p.name, err)
		}
	}
	lists := []struct {
		name  string
		names []string
	}{{"only", a.Only}, {"skip", a.Skip}, {"enable", a.Enable}}
	for _, l := range lists {
		for _, n := range l.names {
			if _, ok := fixes.Lookup(n); !ok {
				return fmt.Errorf("argument %q: unknown pass %q; passes: %s", l.name, n, fixes.Names(fixes.All))
			}
		}
	}
	if a.Verify && len(strings.Fields(a.Apachectl)) == 0 {
		return fmt.Errorf(`argument "apachectl": want a command line when "verify" is true, got %q`, a.Apachectl)
	}
	return nil
}

func setPath(a *moduleArgs, name string, v any) error {
	var p string
	if err := setText(&p, name, v); err != nil {
		return err
	}
	return addPaths(a, name, []string{p})
}

func setPaths(a *moduleArgs, name string, v any) error {
	var ps []string
	if err := setList(&ps, name, v); err != nil {
		return err
	}
	return addPaths(a, name, ps)
}

// setServerRoot takes an absolute directory, for the reason addPaths gives.
func setServerRoot(a *moduleArgs, name string, v any) error {
	if err := setText(&a.ServerRoot, name, v); err != nil {
		return err
	}
	if a.ServerRoot != "" && !filepath.IsAbs(a.ServerRoot) {
		return fmt.Errorf("argument %q: want an absolute path, got %q", name, a.ServerRoot)
	}
	return nil
}

// addPaths takes absolute paths only: the module runs in Ansible's temp
// directory, so a relative path would not mean what the playbook author meant.
func addPaths(a *moduleArgs, name string, ps []string) error {
	for _, p := range ps {
		if !filepath.IsAbs(p) {
			return fmt.Errorf("argument %q: want absolute paths, got %q", name, p)
		}
	}
	a.Paths = append(a.Paths, ps...)
	return nil
}

// setBool accepts what Ansible's own modules accept: JSON booleans, 0 and 1,
// and the strings yes/no, true/false, on/off, y/n, t/f, 1/0 in any case.
func setBool(dst *bool, name string, v any) error {
	switch x := v.(type) {
	case bool:
		*dst = x
		return nil
	case json.Number:
		switch x.String() {
		case "1", "1.0":
			*dst = true
			return nil
		case "0", "0.0":
			*dst = false
			return nil
		}
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "yes", "true", "on", "y", "t", "1":
			*dst = true
			return nil
		case "no", "false", "off", "n", "f", "0":
			*dst = false
			return nil
		}
	}
	return mistyped(name, "a boolean", v)
}

func setText(dst *string, name string, v any) error {
	s, ok := v.(string)
	if !ok {
		return mistyped(name, "a string", v)
	}
	*dst = s
	return nil
}

// setVersion also takes a number, since YAML reads `apache: 2.4` as one.
func setVersion(dst *string, name string, v any) error {
	if n, ok := v.(json.Number); ok {
		*dst = n.String()
		return nil
	}
	return setText(dst, name, v)
}

// setList takes a list of strings or one comma-separated string; blanks
// around items are trimmed and empty items dropped.
func setList(dst *[]string, name string, v any) error {
	var items []string
	switch x := v.(type) {
	case string:
		items = strings.Split(x, ",")
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return fmt.Errorf("argument %q: want a list of strings or a comma-separated string, got a list holding %s", name, describe(e))
			}
			items = append(items, s)
		}
	default:
		return mistyped(name, "a list of strings or a comma-separated string", v)
	}
	var out []string
	for _, s := range items {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	*dst = out
	return nil
}

// mistyped says which argument is wrong, what it should be and what it was.
func mistyped(name, want string, v any) error {
	return fmt.Errorf("argument %q: want %s, got %s", name, want, describe(v))
}

// describe names a JSON value's type, with the value when it is short.
func describe(v any) string {
	switch x := v.(type) {
	case bool:
		return fmt.Sprintf("boolean %v", x)
	case json.Number:
		return "number " + x.String()
	case string:
		return fmt.Sprintf("string %q", x)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
