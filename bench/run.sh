#!/usr/bin/env bash
# bench/run.sh (make bench): builds huella, generates the synthetic corpora
# once into bench/corpus/ (reused when present), checks each with every
# feed in ../shared/iocs plus the corpus's own synthetic bundle, and prints
# wall time, records/s, peak RSS, CPU and the slowest modules; then the
# encrypted 100k corpus (key derived once with extract-key, timed apart) and
# the Go micro-benchmarks.
#
#   SCALES="10000 100000" bench/run.sh     # skip the 1M corpus
#   MICRO=0 ENCRYPTED=0 bench/run.sh       # corpora only
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0
SCALES=${SCALES:-"10000 100000 1000000"}
IOCS=${IOCS:-../shared/iocs}
MICRO=${MICRO:-1}
ENCRYPTED=${ENCRYPTED:-1}
corpus=bench/corpus
res=bench/results
mkdir -p "$corpus" "$res"

if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time (needed for peak RSS)" >&2
  apt-get install -y time >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y time >/dev/null)
fi

go build -trimpath -o "$res/huella" ./cmd/huella
go build -o "$res/gen" ./bench/gen
huella=$res/huella gen=$res/gen

label() { case $1 in 1000000) echo 1M ;; *000) echo "$(( $1 / 1000 ))k" ;; *) echo "$1" ;; esac; }

corpus_for() { # scale [extra gen flags...]
  local scale=$1 name=$2; shift 2
  local dir=$corpus/$name
  if [ ! -f "$dir/expected.json" ]; then
    rm -rf "$dir"
    echo "generating $dir ..." >&2
    "$gen" --scale "$scale" --plant --out "$dir" "$@" >&2
  fi
  echo "$dir"
}

run_check() { # label corpus_dir [check flags...]
  local l=$1 dir=$2; shift 2
  local out=$res/out-$l
  rm -rf "$out"
  # Drop nothing from the page cache: the corpus was just read or written,
  # as it is when an analyst checks a backup they just took.
  set +e
  /usr/bin/time -v -o "$res/time-$l.txt" "$huella" check "$dir/evidence" --iocs "$IOCS" --iocs "$dir/iocs.stix2" \
    --no-feed-cache --no-report --quiet --output "$out" "$@" >"$res/check-$l.log" 2>&1
  local rc=$?
  set -e
  if [ $rc -ne 1 ]; then echo "check $l exited $rc (want 1: planted traces); see $res/check-$l.log" >&2; fi
  "$gen" --summarize "$out" --time "$res/time-$l.txt" --label "$l" --out "$dir"
}

echo
echo "huella $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
echo
echo "| corpus         |   records |     wall |  records/s |  peak RSS |  CPU  | planted |"
echo "|----------------|-----------|----------|------------|-----------|-------|---------|"
for s in $SCALES; do
  l=$(label "$s")
  dir=$(corpus_for "$s" "ios-$l")
  run_check "$l" "$dir"
done

if [ "$ENCRYPTED" = 1 ]; then
  dir=$(corpus_for 100000 ios-100k-enc --encrypt --password huella-bench)
  start=$(date +%s%N)
  printf 'huella-bench' >"$res/password"
  "$huella" extract-key "$dir/evidence" --password-file "$res/password" --output "$res/key.hex" >/dev/null
  kdf_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  run_check 100k-enc "$dir" --key-file "$res/key.hex"
  echo
  echo "key derivation (extract-key, PBKDF2-SHA256 10M rounds, once per case): $((kdf_ms / 1000)).$(( (kdf_ms % 1000) / 100 )) s"
fi

if [ "$MICRO" = 1 ]; then
  echo
  echo "micro-benchmarks (go test -bench, -benchtime=${BENCHTIME:-1s}):"
  bench/micro.sh
fi
