#!/usr/bin/env bash
# bench/capture.sh (make bench-capture): the memory a check of a large
# packet capture needs. Writes a pcapng of CAPTURE_MB MiB (default 1024) of
# a phone's traffic with planted traces (bench/gen --capture-mb), then runs
# the default check on it as a user would (report included) with every feed
# in ../shared/iocs plus the synthetic bundle, and prints wall time, peak
# RSS and CPU. MAX_RSS_MB, when set, makes the script fail above it (CI
# runs a smaller capture with the issue's 300 MB bound).
#
#   bench/capture.sh                        # 1 GiB
#   CAPTURE_MB=256 MAX_RSS_MB=300 bench/capture.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0
mb=${CAPTURE_MB:-1024}
IOCS=${IOCS:-../shared/iocs}
corpus=${CORPUS:-bench/corpus/capture-${mb}m-${SERVERS:-20}}
res=${RESULTS:-bench/results}
mkdir -p "$res"

if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time (needed for peak RSS)" >&2
  apt-get install -y time >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y time >/dev/null)
fi
go build -trimpath -o "$res/huella" ./cmd/huella
go build -o "$res/gen" ./bench/gen
if [ ! -f "$corpus/expected.json" ]; then
  rm -rf "$corpus"
  "$res/gen" --capture-mb "$mb" --servers "${SERVERS:-20}" --plant --out "$corpus" >&2
fi
feeds=()
if [ -d "$IOCS" ]; then feeds=(--iocs "$IOCS"); fi
out=$res/out-capture-${mb}m
rm -rf "$out"
set +e
/usr/bin/time -v -o "$res/time-capture.txt" "$res/huella" check "$corpus/evidence/capture.pcapng" "${feeds[@]}" \
  --iocs "$corpus/iocs.stix2" --no-feed-cache --quiet --output "$out" >"$res/check-capture.log" 2>&1
rc=$?
set -e
if [ $rc -ne 1 ]; then echo "check exited $rc (want 1: planted traces); see $res/check-capture.log" >&2; exit 1; fi
size=$(stat -c %s "$corpus/evidence/capture.pcapng")
rss=$(awk -F: '/Maximum resident/ {gsub(/ /, "", $2); print int($2 / 1024)}' "$res/time-capture.txt")
wall=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$res/time-capture.txt")
cpu=$(awk -F: '/Percent of CPU/ {gsub(/ /, "", $2); print $2}' "$res/time-capture.txt")
records=$(grep -o '"records": *[0-9]*' "$out/info.json" | awk -F: '{s += $2} END {print s}')
echo "huella $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
echo
echo "| capture | records | wall | peak RSS | CPU |"
echo "|---|---|---|---|---|"
echo "| pcapng $((size / 1048576)) MiB | $records | $wall | ${rss} MB | $cpu |"
if [ -n "${MAX_RSS_MB:-}" ] && [ "$rss" -gt "$MAX_RSS_MB" ]; then
  echo "peak RSS ${rss} MB is over the ${MAX_RSS_MB} MB bound" >&2
  exit 1
fi
