#!/usr/bin/env bash
# Regenerates cmd/wsgifix/default.pgo, the CPU profile `go build` uses to
# optimise the wsgifix binary (profile-guided optimisation, on by default
# since Go 1.21 for a main package with a default.pgo). The profile is of
# the work the benchmarks measure (BENCHMARKS.md): `wsgifix diff` of the
# 10k-pair config, several runs, and `wsgifix fix` over 2,000 files.
# Run it again when the hot paths change a lot; an old profile still
# works, it just helps less.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${PGO_RUNS:-8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/wsgifix" ./cmd/wsgifix
go run ./tools/genconf 10000 "$tmp/big" --big-only
go run ./tools/genconf 2000 "$tmp/tree"
rm -f "$tmp/tree/httpd.conf"

for i in $(seq "$runs"); do
	# Exit status 1: the config has findings, as it should. Diff and
	# findings go to different files, as in the benchmark: both are then
	# written while the parts are fixed (with 2>&1 they are not).
	WSGIFIX_CPUPROFILE="$tmp/diff$i.pprof" "$tmp/wsgifix" diff "$tmp/big/httpd.conf" >/dev/null 2>"$tmp/findings" || [ $? -eq 1 ]
done
WSGIFIX_CPUPROFILE="$tmp/fix.pprof" "$tmp/wsgifix" fix "$tmp/tree/sites" >/dev/null 2>&1 || [ $? -eq 1 ]

go tool pprof -proto "$tmp"/*.pprof >cmd/wsgifix/default.pgo
echo "wrote cmd/wsgifix/default.pgo ($(wc -c <cmd/wsgifix/default.pgo) bytes) from $runs diff runs and one fix run"
