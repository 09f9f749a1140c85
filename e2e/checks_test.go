package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// served is a case's configuration running in httpd.
type served struct {
	c         *testCase
	tree      *web2pyTree
	endpoints []endpoint // HTTP first, then HTTPS when the case has it
	realPorts bool       // listening on the case's own ports 80/443
	httpd     *httpd
	stopOnce  sync.Once
	notes     []string // what the running check observed, for the log
}

func (s *served) note(format string, args ...any) {
	s.notes = append(s.notes, fmt.Sprintf(format, args...))
}

// stop stops httpd; calling it again does nothing.
func (s *served) stop() { s.stopOnce.Do(s.httpd.stop) }

// probePaths are URLs that map, in one broken configuration or another, to
// files under the web2py root that are not static: source, databases, the
// admin password file, the handler itself; also through "..", encoded dots
// and the static-version segment.
var probePaths = []string{
	"/welcome/models/db.py",
	"/welcome/controllers/default.py",
	"/welcome/databases/storage.sqlite",
	"/admin/models/db.py",
	"/admin/controllers/default.py",
	"/applications/welcome/models/db.py",
	"/wsgihandler.py",
	"/parameters_443.py",
	"/welcome/static/../models/db.py",
	"/welcome/static/%2e%2e/models/db.py",
	"/welcome/static/_2.1.1/../../models/db.py",
	"/welcome/static/..%2fmodels/db.py",
	"/welcome/static/../../wsgihandler.py",
}

// leaks returns every probe that got a file's bytes back, or a status that
// is neither a refusal nor the app's own answer.
func (s *served) leaks() ([]string, error) {
	var out []string
	for _, e := range s.endpoints {
		for _, p := range probePaths {
			r, err := e.get(p)
			if err != nil {
				return nil, err
			}
			switch {
			case strings.Contains(r.body, s.tree.secret):
				out = append(out, fmt.Sprintf("%s%s: served the file (status %d)", e, p, r.status))
			case r.status == http.StatusBadRequest || r.status == http.StatusForbidden || r.status == http.StatusNotFound:
			case appAnswer(r) != nil:
			default:
				out = append(out, fmt.Sprintf("%s%s: status %d, neither refused nor the app: %.200q", e, p, r.status, r.body))
			}
		}
	}
	return out, nil
}

// problems collects what a check found wrong.
type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func (s *served) checkNoLeak() problems {
	leaks, err := s.leaks()
	if err != nil {
		return problems{err.Error()}
	}
	return leaks
}

// checkStatic: httpd itself serves the static file (its bytes, not the app).
func (s *served) checkStatic(urlPath string) (p problems) {
	for _, e := range s.endpoints {
		r, err := e.get(urlPath)
		if err != nil {
			p.add("%v", err)
			continue
		}
		if r.status != http.StatusOK || r.body != string(s.tree.css) {
			p.add("%s%s: want status 200 with the file's bytes %q, got status %d: %.300q", e, urlPath, s.tree.css, r.status, r.body)
		}
	}
	return p
}

// answers asks the app on every endpoint; nil when one did not answer.
func (s *served) answers(p *problems) []map[string]string {
	var out []map[string]string
	for _, e := range s.endpoints {
		r, err := e.get("/welcome/default/index")
		if err != nil {
			p.add("%v", err)
			return nil
		}
		a := appAnswer(r)
		if a == nil {
			p.add("%s/welcome/default/index: the app did not answer: status %d: %.300q", e, r.status, r.body)
			return nil
		}
		if a["scheme"] != e.scheme {
			p.add("%s: the app saw scheme %q", e, a["scheme"])
		}
		s.note("%s: process_group=%q application_group=%q", e, a["process_group"], a["application_group"])
		out = append(out, a)
	}
	return out
}

// checkOneDaemon: the app answers on every endpoint from the case's daemon
// group (an empty group would mean embedded mode).
func (s *served) checkOneDaemon() (p problems) {
	for i, a := range s.answers(&p) {
		if a["process_group"] != s.c.spec.Daemon {
			p.add("%s: the app ran in process group %q, want %q", s.endpoints[i], a["process_group"], s.c.spec.Daemon)
		}
	}
	return p
}

// checkSharedInterpreter: HTTP and HTTPS requests run in one
// sub-interpreter.
//
// mod_wsgi names a sub-interpreter "host|SCRIPT_NAME", adding ":port" to
// the host unless the port is 80 or 443 (the default-port rule), so on
// 80/443 one host shares one interpreter and on other ports it does not.
// The port is the Host header's, else the vhost's own: for a vhost without
// ServerName that is its address. So when 80/443 are busy here and the
// case's 80/443 vhosts listen elsewhere, a name can carry the listening
// port where the real server's would have none; exactly that suffix is
// removed before comparing, which is the rule itself. Cases on other ports
// (8080/8443) are compared as they are.
func (s *served) checkSharedInterpreter() (p problems) {
	if len(s.endpoints) < 2 {
		p.add("the case has no HTTPS vhost: skip this check in case.json")
		return p
	}
	a := s.answers(&p)
	if a == nil {
		return p
	}
	groups := []string{a[0]["application_group"], a[1]["application_group"]}
	if !s.realPorts && s.c.spec.HTTPPort == 80 && s.c.spec.HTTPSPort == 443 {
		for i, e := range s.endpoints {
			groups[i] = strings.Replace(groups[i], fmt.Sprintf(":%d|", e.port), "|", 1)
		}
		s.note("ports 80/443 are busy here: compared as the names would be on 80/443: %q and %q", groups[0], groups[1])
	}
	if groups[0] != groups[1] {
		p.add("HTTP and HTTPS run in different sub-interpreters: %q (%s) and %q (%s)",
			a[0]["application_group"], s.endpoints[0], a[1]["application_group"], s.endpoints[1])
	}
	return p
}

// checkSSLRequired: each path is refused over plain HTTP and reaches the
// app over HTTPS (so the refusal is about SSL, not a blanket deny).
func (s *served) checkSSLRequired() (p problems) {
	for _, path := range s.c.spec.SSLRequired {
		for _, e := range s.endpoints {
			r, err := e.get(path)
			switch {
			case err != nil:
				p.add("%v", err)
			case e.scheme == "http" && r.status != http.StatusForbidden:
				p.add("%s%s: want 403 over plain HTTP, got %d: %.200q", e, path, r.status, r.body)
			case e.scheme == "https" && appAnswer(r) == nil:
				p.add("%s%s: want the app over HTTPS, got %d: %.200q", e, path, r.status, r.body)
			}
		}
	}
	return p
}

// servedChecks are the checks on a running site, by name.
var servedChecks = []struct {
	name string
	run  func(*served) problems
}{
	{checkStatic, func(s *served) problems { return s.checkStatic("/welcome/static/css/x.css") }},
	{checkVersioned, func(s *served) problems { return s.checkStatic("/welcome/static/_2.1.1/css/x.css") }},
	{checkNoLeak, (*served).checkNoLeak},
	{checkOneDaemon, (*served).checkOneDaemon},
	{checkSharedInterp, (*served).checkSharedInterpreter},
	{checkSSLRequired, (*served).checkSSLRequired},
}

// runServedChecks runs every check that applies to the case as a subtest
// and returns the names of those that failed.
func (s *served) runServedChecks(t *testing.T) []string {
	if s.realPorts {
		t.Log("serving on 127.0.0.1:80 and :443")
	} else if s.c.spec.HTTPPort == 80 {
		t.Logf("ports 80/443 are busy here: serving on %s instead (see checkSharedInterpreter)", s.endpoints[0].addr)
	}
	var failed []string
	for _, ch := range servedChecks {
		ok := t.Run(ch.name, func(t *testing.T) {
			if why, skip := s.c.spec.Skip[ch.name]; skip {
				t.Skip(why)
			}
			s.notes = nil
			found := ch.run(s)
			for _, n := range s.notes {
				t.Log(n)
			}
			for _, msg := range found {
				t.Error(msg)
			}
		})
		if !ok {
			failed = append(failed, ch.name)
		}
	}
	return failed
}
