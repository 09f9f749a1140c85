#!/usr/bin/env bash
# Runs the benchmark suite: the Go benchmarks (MB/s, allocations) and the
# whole-process comparison with cat and augtool (tools/bench).
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench . -benchtime 5x -short ./ast ./fixes ./rewrite 2>/dev/null | grep -E '^(Benchmark|ok|PASS)' || true
go run ./tools/bench "$@"
