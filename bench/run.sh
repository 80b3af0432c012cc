#!/usr/bin/env bash
# bench/run.sh (make bench): builds huella, generates the synthetic corpora
# once into bench/corpus/ (reused when present), checks each with every
# feed in ../shared/iocs plus the corpus's own synthetic bundle, and prints
# wall time, records/s, peak RSS, CPU and the slowest modules.
#
# Each backup is checked twice: as users run it (the default command, the
# HTML report included) and with --no-report, then the cost of the report
# is printed as a ratio of wall time and of CPU time (user + system; the
# steadier figure on a shared machine). Then a full-file-system dump of
# FS_PATHS files (default 1,000,000; UFED zip layout, planted traces) is
# checked the default way, the encrypted 100k backup (key derived once with
# extract-key, timed apart), and the Go micro-benchmarks.
#
#   SCALES="10000 100000" bench/run.sh             # skip the 1M backup
#   MICRO=0 ENCRYPTED=0 FS_PATHS=0 bench/run.sh    # backups only
#   SCALES=100000 REPEAT=3 MICRO=0 ENCRYPTED=0 FS_PATHS=0 bench/run.sh
#                                                  # report cost, 3 pairs
#
# With ../shared present, a dump rebuilt from a real image's file list
# (fs-real) is checked after the 1M-file one.
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0
SCALES=${SCALES-"10000 100000 1000000"} # SCALES= (empty) skips the backups
IOCS=${IOCS:-../shared/iocs}
MICRO=${MICRO:-1}
ENCRYPTED=${ENCRYPTED:-1}
FS_PATHS=${FS_PATHS:-1000000}
FS_LAYOUT=${FS_LAYOUT:-ufed-zip}
REPEAT=${REPEAT:-1}
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
  local out=$res/out-$l ev
  ev=$(ls -d "$dir"/evidence* | head -1) # a backup folder, or evidence.zip/.tar/.tar.gz
  rm -rf "$out"
  # Drop nothing from the page cache: the corpus was just read or written,
  # as it is when an analyst checks a backup they just took.
  set +e
  /usr/bin/time -v -o "$res/time-$l.txt" "$huella" check "$ev" --iocs "$IOCS" --iocs "$dir/iocs.stix2" \
    --no-feed-cache --quiet --output "$out" "$@" >"$res/check-$l.log" 2>&1
  local rc=$?
  set -e
  if [ $rc -ne 1 ]; then echo "check $l exited $rc (want 1: planted traces); see $res/check-$l.log" >&2; fi
  case " $* " in *" --no-report "*) ;; *) [ -s "$out/report.html" ] || echo "check $l wrote no report.html" >&2 ;; esac
  "$gen" --summarize "$out" --time "$res/time-$l.txt" --label "$l" --out "$dir"
}

# wall and CPU (user + system) seconds from a `time -v` report
secs() { awk -F': ' '/Elapsed \(wall clock\)/ { n=split($2, p, ":"); s=0; for (i=1; i<=n; i++) s=s*60+p[i]; w=s }
  /User time|System time/ { c+=$2 } END { printf "%.2f %.2f\n", w, c }' "$1"; }

# report_cost label: the default check against --no-report, same corpus
report_cost() {
  local w1 c1 w0 c0
  read -r w1 c1 < <(secs "$res/time-$1.txt")
  read -r w0 c0 < <(secs "$res/time-$1-no-report.txt")
  awk -v l="$1" -v w1="$w1" -v c1="$c1" -v w0="$w0" -v c0="$c0" 'BEGIN {
    printf "|   report cost  | default / --no-report: wall %.2f / %.2f s = %.2f×, CPU %.2f / %.2f s = %.2f× (target ≤ 1.3×) |\n",
      w1, w0, w1/w0, c1, c0, c1/c0 }'
}

echo
echo "huella $(git rev-parse --short HEAD 2>/dev/null || echo "?") on $(nproc) CPUs, $(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u "+%F %H:%M UTC"), load average $(cut -d" " -f1-3 /proc/loadavg)"
echo
echo "| corpus         |   records |     wall |  records/s |  peak RSS |  CPU  | planted |"
echo "|----------------|-----------|----------|------------|-----------|-------|---------|"
for s in $SCALES; do
  l=$(label "$s")
  dir=$(corpus_for "$s" "ios-$l")
  for _ in $(seq "$REPEAT"); do
    run_check "$l" "$dir"
    run_check "$l-no-report" "$dir" --no-report
    report_cost "$l"
  done
done

if [ "$FS_PATHS" != 0 ]; then
  l=fs-$(label "$FS_PATHS")
  dir=$(corpus_for 10000 "$l-$FS_LAYOUT" --fs-paths "$FS_PATHS" --layout "$FS_LAYOUT")
  for _ in $(seq "$REPEAT"); do
    run_check "$l" "$dir"
    read -r w c < <(secs "$res/time-$l.txt")
    rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2/1024 }' "$res/time-$l.txt")
    echo "|   target       | $FS_LAYOUT dump of $FS_PATHS files, default check: ${w} s (CPU ${c} s), ${rss} MB; target ≤ 10 s, ≤ 300 MB |"
  done
fi

# A real iPhone's file list (../shared/realdata/ffs-paths: 474,146 files of
# a public iOS 15 image) rebuilt as empty files around the planted
# databases: the real shape and size of a dump, and every database and
# crash report in it 0 bytes (present but empty).
real=${REAL_PATHS:-../shared/realdata/ffs-paths/josh-hickman-ios15.csv.zip}
if [ "$FS_PATHS" != 0 ] && [ -f "$real" ]; then
  l=fs-real
  dir=$(corpus_for 10000 "$l-$FS_LAYOUT" --fs-paths 1000000 --layout "$FS_LAYOUT" --paths-from "$real")
  for _ in $(seq "$REPEAT"); do
    run_check "$l" "$dir"
  done
fi

if [ "$ENCRYPTED" = 1 ]; then
  dir=$(corpus_for 100000 ios-100k-enc --encrypt --password huella-bench)
  start=$(date +%s%N)
  printf 'huella-bench' >"$res/password"
  "$huella" extract-key "$dir/evidence" --password-file "$res/password" --output "$res/key.hex" >/dev/null
  kdf_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  run_check 100k-enc "$dir" --key-file "$res/key.hex" --no-report
  echo
  echo "key derivation (extract-key, PBKDF2-SHA256 10M rounds, once per case): $((kdf_ms / 1000)).$(( (kdf_ms % 1000) / 100 )) s"
fi

if [ "$MICRO" = 1 ]; then
  echo
  echo "micro-benchmarks (go test -bench, -benchtime=${BENCHTIME:-1s}):"
  bench/micro.sh
fi
