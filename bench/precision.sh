#!/usr/bin/env bash
# bench/precision.sh: how the rules fare on real data, as Markdown tables:
# the 5,000 most popular domains (false alarms), every feed's domains with
# the indicators and with the heuristics alone (recall without a feed), and
# a real iPhone's 474,000-path file list checked with every feed. Needs
# ../shared (realdata/ and iocs/); SHARED=path to use another copy.
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0
echo "Precision on real data — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPU ($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || uname -m)), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo
go run ./bench/precision -shared "${SHARED:-../shared}"
