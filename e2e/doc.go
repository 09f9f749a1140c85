// Package e2e is the acceptance suite: it proves with real httpd and
// mod_wsgi on 127.0.0.1 that what wsgifix writes works and is safe (SPEC.md,
// "Acceptance"). It holds only tests.
//
// Each case lives in testdata/e2e/<case>/: the broken input file(s) and a
// case.json naming the flags, the error real httpd gives for the original,
// and the checks that apply. For every case the suite builds a fake web2py
// tree and a self-signed certificate in a temporary directory, checks that
// the original fails `apache2 -t` as reference/FACTS.md says, runs
// `wsgifix fix` on a copy, starts httpd on the result and sends real
// requests: static files come from httpd, nothing else under the web2py root
// is served, the app answers over HTTP and HTTPS from one daemon group and
// one sub-interpreter, admin pages need SSL where the input asked for it,
// and a second run changes nothing.
//
// The switch is WSGIFIX_E2E: 1 runs the suite and fails when httpd,
// mod_wsgi or root is missing; 0 skips it. Unset, it runs when everything
// is there and skips with a message otherwise, except under CI=true, where
// anything missing is a failure, never a skip.
package e2e
