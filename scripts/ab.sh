#!/usr/bin/env bash
# ab.sh N OLD NEW [FILE]: compares two wsgifix binaries on `diff FILE`
# (default: a 10k-pair config made with internal/genconf) in N pairs of
# runs, the two of a pair back to back in alternating order, each through
# the bench's child runner (stdout and stderr drained through pipes, as
# tools/bench runs them). It prints each binary's medians and the paired
# differences NEW - OLD: pairing takes out most of the host's drift, which
# moves the same binary by a fifth within minutes (BENCHMARKS.md).
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 N OLD NEW [FILE]" >&2; exit 2; }
n=$1 old=$2 new=$3 file=${4:-}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/bench" ./tools/bench
if [ -z "$file" ]; then
	go run ./tools/genconf 10000 "$tmp/conf" --big-only >/dev/null
	file=$tmp/conf/httpd.conf
fi
run() { WSGIFIX_BENCH_CHILD=1 "$tmp/bench" "$1" diff "$file"; }
for i in $(seq "$n"); do
	if [ $((i % 2)) = 0 ]; then a=$(run "$old"); b=$(run "$new"); else b=$(run "$new"); a=$(run "$old"); fi
	echo "$a $b" # wall cpu rss exit sys, for each (nanoseconds, KiB)
done >"$tmp/runs"
awk '
function median(x, k,   i, j, t) {
	for (i = 2; i <= k; i++) for (j = i; j > 1 && x[j-1] > x[j]; j--) { t = x[j]; x[j] = x[j-1]; x[j-1] = t }
	return k % 2 ? x[(k+1)/2] : (x[k/2] + x[k/2+1]) / 2
}
{ wa[NR] = $1/1e6; ca[NR] = $2/1e6; wb[NR] = $6/1e6; cb[NR] = $7/1e6
  dw[NR] = wb[NR] - wa[NR]; dc[NR] = cb[NR] - ca[NR]; sw += dw[NR]; sc += dc[NR]; qw += dw[NR]^2; qc += dc[NR]^2 }
END {
	k = NR; mw = sw/k; mc = sc/k
	sew = sqrt((qw/k - mw^2) * k/(k-1) / k); sec = sqrt((qc/k - mc^2) * k/(k-1) / k)
	printf "old: wall %.1f ms, CPU %.1f ms (medians)\n", median(wa, k), median(ca, k)
	printf "new: wall %.1f ms, CPU %.1f ms (medians)\n", median(wb, k), median(cb, k)
	printf "new - old, %d pairs: wall median %+.1f ms, mean %+.1f ± %.1f; CPU median %+.1f ms, mean %+.1f ± %.1f\n", k, median(dw, k), mw, sew, median(dc, k), mc, sec
}' "$tmp/runs"
