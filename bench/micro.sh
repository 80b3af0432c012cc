#!/usr/bin/env bash
# bench/micro.sh: the Go micro-benchmarks of the hot paths, as a table.
# BENCHTIME=3s for steadier numbers; needs ../shared/iocs for the matcher.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs="./internal/indicators ./internal/urlx ./internal/sqlitex ./internal/plistx ./internal/source/iosbackup ./internal/heuristics"
re='^Benchmark(MatchURL|ExtractLinks|ScanRows|ScanRowsPrivateCopy|DecodeBinaryPlist|UnarchiveMBFile|DecryptFile|CheckLink|RedirectIndex)$'
echo "| benchmark | ns/op | throughput | allocs/op |"
echo "|---|---|---|---|"
go test -p 1 -run '^$' -bench "$re" -benchmem -benchtime "${BENCHTIME:-1s}" $pkgs 2>&1 |
  awk '/^Benchmark/ {
    name=$1; sub(/-[0-9]+$/, "", name); ns=""; tp=""; al="";
    for (i=3; i<=NF; i++) {
      if ($(i+1)=="ns/op") ns=$i;
      if ($(i+1)=="MB/s" || $(i+1) ~ /\/s$/) tp=(tp=="" ? "" : tp" ") $i" "$(i+1);
      if ($(i+1)=="allocs/op") al=$i;
    }
    printf "| %s | %s | %s | %s |\n", name, ns, tp, al }
  /^(FAIL|panic)/ { print; bad=1 } END { exit bad }'
