#!/usr/bin/env bash
# Runs every Fuzz* target of the repository for FUZZTIME (default 10s) each.
# Crashers land in the package's testdata/fuzz and become regression tests.
set -euo pipefail
cd "$(dirname "$0")/.."
tests=$(git ls-files '*_test.go')
for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' $tests | sed 's/^func //' | sort -u); do
	pkg=$(dirname "$(grep -l "^func $target(" $tests | head -1)")
	go test -run '^$' -fuzz "^$target\$" -fuzztime "${FUZZTIME:-10s}" "./$pkg"
done
