#!/usr/bin/env bash
# bench/mvt.sh: huella and MVT (Amnesty International's Mobile Verification
# Toolkit, mvt-ios) on the same synthetic corpus, the same indicator files
# and the same machine, one after the other, measured the same way (GNU
# time: wall clock and peak RSS). MVT is a Python tool and is not part of
# this repository; install it first, for example:
#
#   python3 -m venv ~/mvt-venv && ~/mvt-venv/bin/pip install mvt
#   PATH=~/mvt-venv/bin:$PATH bench/mvt.sh 100k 1M
#
# Arguments are corpus labels (10k, 100k, 1M; default 100k). A corpus is
# generated as bench/run.sh does (go run ./bench/gen --scale N --plant,
# seed 1) when bench/corpus/ios-<label> is missing. Indicators: every
# *.stix2, *.json and *.stix file under IOCS (default ../shared/iocs) plus
# the corpus's own iocs.stix2, passed to MVT as one -i per file, and to
# huella as --iocs folder + file (huella reads the same extensions).
# huella runs the default check as users run it (HTML report included,
# --quiet); MVT runs `mvt-ios check-backup`, its command for an unencrypted
# backup (MVT writes JSON and CSV, no report).
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0
IOCS=${IOCS:-../shared/iocs}
labels=("$@")
[ ${#labels[@]} -gt 0 ] || labels=(100k)
corpus=bench/corpus res=bench/results
mkdir -p "$corpus" "$res"

command -v mvt-ios >/dev/null || { echo "mvt-ios not found on PATH (see the comment at the top of $0)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is needed for peak RSS" >&2; exit 2; }

go build -trimpath -o "$res/huella" ./cmd/huella
go build -o "$res/gen" ./bench/gen

scale_of() { case $1 in 1M) echo 1000000 ;; *k) echo $(( ${1%k} * 1000 )) ;; *) echo "$1" ;; esac; }

# wall seconds and peak RSS (MB) from a `time -v` report
measure() { awk -F': ' '/Elapsed \(wall clock\)/ { n=split($2, p, ":"); s=0; for (i=1; i<=n; i++) s=s*60+p[i]; w=s }
  /Maximum resident set size/ { r=$2/1024 } END { printf "%.2f %.0f\n", w, r }' "$1"; }

mapfile -t feeds < <(find "$IOCS" -type f \( -name '*.stix2' -o -name '*.json' -o -name '*.stix' \) | sort)

echo "huella $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(mvt-ios version 2>/dev/null | tail -1 || echo 'mvt ?')"
echo "$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u '+%F %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "${#feeds[@]} indicator files from $IOCS, plus the corpus's iocs.stix2"
echo
echo "| corpus | tool | wall | peak RSS | exit |"
echo "|---|---|---|---|---|"
for l in "${labels[@]}"; do
  dir=$corpus/ios-$l
  if [ ! -f "$dir/expected.json" ]; then
    rm -rf "$dir"
    echo "generating $dir ..." >&2
    "$res/gen" --scale "$(scale_of "$l")" --plant --out "$dir" >&2
  fi
  out=$res/cmp-huella-$l
  rm -rf "$out"
  set +e
  /usr/bin/time -v -o "$res/cmp-time-huella-$l.txt" "$res/huella" check "$dir/evidence" --iocs "$IOCS" --iocs "$dir/iocs.stix2" \
    --no-feed-cache --quiet --output "$out" >"$res/cmp-huella-$l.log" 2>&1
  hrc=$?
  args=()
  for f in "${feeds[@]}" "$dir/iocs.stix2"; do args+=(-i "$f"); done
  mout=$res/cmp-mvt-$l
  rm -rf "$mout" && mkdir -p "$mout"
  /usr/bin/time -v -o "$res/cmp-time-mvt-$l.txt" mvt-ios check-backup "${args[@]}" --output "$mout" "$dir/evidence" >"$res/cmp-mvt-$l.log" 2>&1
  mrc=$?
  set -e
  read -r hw hr < <(measure "$res/cmp-time-huella-$l.txt")
  read -r mw mr < <(measure "$res/cmp-time-mvt-$l.txt")
  echo "| $l | huella | ${hw} s | ${hr} MB | $hrc |"
  echo "| $l | mvt-ios check-backup | ${mw} s | ${mr} MB | $mrc |"
  awk -v hw="$hw" -v mw="$mw" -v hr="$hr" -v mr="$mr" -v l="$l" 'BEGIN { if (hw > 0 && hr > 0) printf "| %s | ratio | %.1f× faster | %.1f× less memory | |\n", l, mw/hw, mr/hr }'
done
echo
echo "logs and time reports: $res/cmp-*"
