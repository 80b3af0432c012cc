#!/usr/bin/env bash
# Runs native fuzz targets: every target (or those listed in targets.txt, as
# "./package FuzzName" lines) for FUZZTIME each, LANES at a time.
#   CI:        FUZZTIME=4s scripts/fuzz.sh
#   campaign:  LANES=2 FUZZTIME=10m scripts/fuzz.sh   (make fuzz FUZZTIME=10m LANES=2)
# Writes one line per target to $OUTDIR/results.tsv and a Markdown table for
# SECURITY.md to $OUTDIR/results.md:
#   package  target  started(UTC)  seconds  executions  result
# A crasher lands in testdata/fuzz/<Target>/ beside its package and from then
# on runs as a regression test in `go test`.
#
# Minimisation is one pass (-fuzzminimizetime=1x): with a time limit the
# engine kills and restarts its worker whenever minimising a new input overruns
# it, which on a loaded machine happened every few seconds and cost most of the
# run. A crasher is still written; minimise it afterwards with -run.
set -uo pipefail
cd "$(dirname "$0")/.."
lanes="${LANES:-1}"
t="${FUZZTIME:-10s}"
dir="${OUTDIR:-${TMPDIR:-/tmp}/huella-fuzz}"
out="$dir/results.tsv"
mkdir -p "$dir"
queue="$dir/queue"
if [[ $# -ge 1 ]]; then
  grep -vE '^\s*(#|$)' "$1" >"$queue"
else
  grep -rn --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' . | sort |
    sed -E 's#^\./(.*)/[^/]+_test\.go:[0-9]+:func (Fuzz[A-Za-z0-9_]+).*#./\1 \2#' >"$queue"
fi
: >"$out"

# next prints and removes the first line of the queue, under a lock so two
# lanes never take the same target.
next() {
  (
    flock 9
    line=$(head -n 1 "$queue")
    [[ -z "$line" ]] && exit 1
    sed -i 1d "$queue"
    echo "$line"
  ) 9>"$queue.lock"
}

run() { go test -run='^$' -fuzz="^$2\$" -fuzztime="$t" -parallel=1 -fuzzminimizetime="${MINIMIZE:-1x}" "$1" >"$3" 2>&1; }

# The engine sometimes ends a run with "context deadline exceeded" and no
# failing input: a race in Go's fuzzing coordinator at the end of -fuzztime
# (go.dev/issue/75804, fixed in Go 1.27), not a finding. Such a run is
# repeated up to twice; if the race wins every time the target is reported as
# "engine deadline race" and does not fail the run. A run that writes a
# failing input is always a failure.
engine_timeout() { grep -q 'context deadline exceeded' "$1" && ! grep -q 'Failing input written' "$1"; }

lane() {
  while line=$(next); do
    read -r pkg name <<<"$line"
    log="$dir/$(tr / _ <<<"${pkg#./}")-$name.log"
    start=$(date -u +%H:%M:%S)
    s=$(date +%s)
    run "$pkg" "$name" "$log"
    rc=$?
    for retry in 1 2; do
      [[ $rc -ne 0 ]] && engine_timeout "$log" || break
      run "$pkg" "$name" "$log"
      rc=$?
    done
    secs=$(($(date +%s) - s))
    execs=$(grep -oE 'execs: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+')
    if [[ $rc -eq 0 ]]; then result="nothing found"
    elif engine_timeout "$log"; then result="nothing found (engine deadline race)"
    elif grep -q 'Failing input written' "$log"; then
      result="CRASHER: $(grep -m1 'Failing input written' "$log" | sed 's/.*written to //')"
    else result="ERROR rc=$rc"; fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$pkg" "$name" "$start" "$secs" "${execs:-0}" "$result" >>"$out"
    echo "$pkg $name: $result"
    if [[ $result != "nothing found"* ]]; then tail -n 30 "$log"; fi
  done
}

for ((i = 0; i < lanes; i++)); do lane & done
wait
sort -k1,1 -k2,2 "$out" -o "$out"
awk -F'\t' 'BEGIN { print "| target | package | started (UTC) | run | executions | result |"; print "|---|---|---|---|---|---|" }
  { e = $5 >= 1e6 ? sprintf("%.1f M", $5 / 1e6) : ($5 >= 1e3 ? sprintf("%.0f k", $5 / 1e3) : $5)
    printf "| `%s` | `%s` | %s | %d s | %s | %s |\n", $2, substr($1, 3), $3, $4, e, $6 }' "$out" >"$dir/results.md"
echo "results: $out, $dir/results.md"
! grep -q -E $'\t(CRASHER|ERROR)' "$out"
