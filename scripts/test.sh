#!/usr/bin/env bash
# Runs every test: unit and golden tests, the CLI scripts, the Ansible
# playbook tests (WSGIFIX_ANSIBLE=1), the concurrent packages under the
# race detector, the acceptance suite against real httpd + mod_wsgi
# (WSGIFIX_E2E=1), then each fuzz target briefly.
set -euo pipefail
cd "$(dirname "$0")/.."
flags=(-count=1 -timeout 40m)

WSGIFIX_ANSIBLE=1 go test "${flags[@]}" $(go list ./... | grep -v '/e2e$')

# The packages that share work out over goroutines (parsing and outlines
# in two stretches, parts, vhosts, files) once more under the race
# detector (cgo: gcc is on the machine).
go test "${flags[@]}" -race ./ast ./fixes ./rewrite

# The acceptance suite runs verbose so the log shows one "e2e <case>: ok"
# line per case; the full output is kept and shown when it fails.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The access model against real httpd on random configurations runs for
# two minutes here (TestAccessModelAgreesWithHTTPD; 20 s by default).
if WSGIFIX_E2E=1 WSGIFIX_ACCESS_DIFF=${WSGIFIX_ACCESS_DIFF:-2m} go test "${flags[@]}" -v ./e2e >"$log" 2>&1; then
	grep -E '^(e2e |ok|PASS)|requests to httpd' "$log"
else
	cat "$log"
	exit 1
fi

./scripts/fuzz.sh
