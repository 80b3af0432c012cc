#!/usr/bin/env bash
# bench/hunt.sh (make bench-hunt): the case-store scale benchmark. It loads
# CASES synthetic cases of OBS observations each into a store (once: the
# corpus is kept in bench/corpus/ and reused), hunts every case once with a
# 5,000-indicator base feed, then times what a helpline does when a new
# collection is published: `huella hunt` with the base feed plus a new
# 1,000-indicator feed, as a user runs it. The new feed matches one planted
# trace in each of CASES/100 cases and nothing else; the script fails unless
# the hunt finds exactly those. It prints load time, hunt times and store
# size per case.
#
#   bench/hunt.sh                                  # SQLite, 1,000 × 100,000
#   ENGINE=postgres bench/hunt.sh                  # a private PostgreSQL cluster in the corpus folder
#   CASES=100 OBS=10000 bench/hunt.sh              # a quick run
#
# Loading 10^8 observations took about 70 minutes on a loaded 2-core machine
# and needs about 8 GB (SQLite) or 20 GB plus the write-ahead log
# (PostgreSQL) of disk; see BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0
ENGINE=${ENGINE:-sqlite}
CASES=${CASES:-1000}
OBS=${OBS:-100000}
GEN=${GEN:-$(date +%s)}
dir=bench/corpus/hunt-$ENGINE-$CASES-$OBS
res=bench/results/hunt-$ENGINE-$CASES-$OBS
mkdir -p "$dir" "$res"

if [ ! -x /usr/bin/time ]; then
  apt-get install -y time >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y time >/dev/null)
fi
go build -trimpath -o "$res/huella" ./cmd/huella
go build -o "$res/huntbench" ./bench/hunt
huella=$res/huella bench=$res/huntbench

if [ "$ENGINE" = postgres ]; then
  export PG_SERVER_OPTS="-c shared_buffers=1GB -c max_wal_size=2GB -c maintenance_work_mem=256MB"
  store=$(scripts/pg-test-cluster.sh start "$dir/pg")
  trap 'scripts/pg-test-cluster.sh stop "$dir/pg"' EXIT
else
  store=$dir/cases.db
fi

echo "huella $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u '+%F %H:%M') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "store: $ENGINE, $CASES cases × $OBS observations"

start=$(date +%s)
"$bench" load --store "$store" --cases "$CASES" --obs "$OBS"
echo "load: $(( $(date +%s) - start )) s"

# Every case hunted once with the base feed (the state of a helpline that
# has hunted before): only then is the new feed "new" to every case.
if [ ! -f "$dir/base.stix2" ]; then
  "$bench" feed --out "$dir/base.stix2" --gen 0 --size 5000 --cases "$CASES" --plant=false
  /usr/bin/time -f '%e s wall, %M KB peak RSS' -o "$res/time-base.txt" \
    "$huella" hunt --iocs "$dir/base.stix2" --no-feed-cache --store "$store" --output "$res/hunt-base" --json >/dev/null
  echo "first hunt of every case, 5,000 indicators: $(tail -n 1 "$res/time-base.txt")"
fi

"$bench" feed --out "$res/new-$GEN.stix2" --gen "$GEN" --size 1000 --cases "$CASES"
set +e
/usr/bin/time -f '%e s wall, %M KB peak RSS' -o "$res/time-new.txt" \
  "$huella" hunt --iocs "$dir/base.stix2" --iocs "$res/new-$GEN.stix2" --no-feed-cache --store "$store" --output "$res/hunt-$GEN" >"$res/hunt-$GEN.log" 2>&1
code=$?
set -e
if [ "$code" != 1 ]; then echo "hunt exited $code (want 1: the planted traces); see $res/hunt-$GEN.log"; exit 1; fi
echo "hunt with a new 1,000-indicator feed (6,000 loaded): $(tail -n 1 "$res/time-new.txt")"
"$bench" verify --hunt "$res/hunt-$GEN" --cases "$CASES"
"$bench" size --store "$store"
