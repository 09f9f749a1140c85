package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/wsgifix/wsgifix/fixes"
	"github.com/wsgifix/wsgifix/rewrite"
)

// TestWriteProof holds the table's marks and the exit code to the rows:
// an undeclared change is exit 1, a declared one and a model that
// disagrees with httpd are not.
func TestWriteProof(t *testing.T) {
	req := func(path, user string) fixes.Request {
		return fixes.Request{Host: "www.example.com", Addr: "*:80", Port: 80, Path: path, Client: fixes.ProbeClient, User: user}
	}
	const ctx = "Debian's and RHEL's <Directory /> denied"
	kept := rewrite.ProveRow{Request: req("/", ""), Context: ctx, Before: 200, After: 404, Model: fixes.Granted, ModelAfter: fixes.Granted}
	declared := rewrite.ProveRow{Request: req("/static/x", ""), Context: ctx, Before: 403, After: 200, Model: fixes.Forbidden, ModelAfter: fixes.Granted, Declared: true}
	undeclared := rewrite.ProveRow{Request: req("/admin", fixes.ProbeUser), Context: ctx, Before: 401, After: 200, Model: fixes.Unauthorized, ModelAfter: fixes.Granted}
	wrongModel := rewrite.ProveRow{Request: fixes.Request{Port: 80, Path: "/x", Client: "127.0.0.2"}, Context: "other", Before: 403, After: 403, Model: fixes.Granted}

	for _, tc := range []struct {
		name  string
		rows  []rewrite.ProveRow
		code  int
		lines []string
	}{
		{"kept", []rewrite.ProveRow{kept}, exitClean, []string{
			"under Debian's and RHEL's <Directory /> denied:",
			"wsgifix: --prove: every access decision of 1 request is kept",
		}},
		{"declared", []rewrite.ProveRow{kept, declared, wrongModel}, exitClean, []string{
			"changed, as a finding declares",
			"403 -> granted",
			"http://localhost:80/x (anonymous, from 127.0.0.2) [main server]",
			"the model says granted before, httpd 403 (a model bug: please report it)",
			"wsgifix: --prove: the model and httpd disagree on 1 request (this does not change the exit code)",
			"wsgifix: --prove: every access decision of 3 requests is kept, but 1 changed as findings declare",
		}},
		{"undeclared", []rewrite.ProveRow{kept, declared, undeclared}, exitPending, []string{
			"CHANGED, and no finding declares it",
			"wsgifix: --prove: the rewrite changes the access decision for 1 request that no finding declares",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if code := writeProof(&b, tc.rows); code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			out := b.String()
			for _, l := range tc.lines {
				if !strings.Contains(out, l) {
					t.Errorf("no %q in:\n%s", l, out)
				}
			}
			if last := out[strings.LastIndex(strings.TrimSuffix(out, "\n"), "\n")+1:]; last != tc.lines[len(tc.lines)-1]+"\n" {
				t.Errorf("last line %q, want %q", last, tc.lines[len(tc.lines)-1])
			}
		})
	}
}
