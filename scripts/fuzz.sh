#!/usr/bin/env bash
# Runs every native fuzz target for the given time (default 10s): `make fuzz FUZZTIME=10m` for a campaign.
# Crashers land in testdata/fuzz/<Target>/ beside the package and then run as regression tests in `go test`.
set -euo pipefail
cd "$(dirname "$0")/.."
t="${1:-10s}"
fail=0
run() { go test -run='^$' -fuzz="^$2\$" -fuzztime="$t" -fuzzminimizetime=2s "$1" >"/tmp/fuzz-$2.log" 2>&1; }
# The fuzzing engine itself sometimes ends a very short run with "context
# deadline exceeded" and no failing input: that is its own timer, not a
# finding. Such a run is repeated once; a run that writes a failing input is
# always a failure.
harness_timeout() { grep -q 'context deadline exceeded' "$1" && ! grep -q 'Failing input written' "$1"; }
while IFS= read -r line; do
  file=${line%%:*}
  name=$(sed -E 's/^.*func (Fuzz[A-Za-z0-9_]+).*/\1/' <<<"$line")
  pkg=./$(dirname "$file")
  echo "fuzz $pkg $name ($t)"
  if run "$pkg" "$name"; then continue; fi
  if harness_timeout "/tmp/fuzz-$name.log"; then
    echo "  fuzzing engine timed out with no finding; running again"
    if run "$pkg" "$name"; then continue; fi
    if harness_timeout "/tmp/fuzz-$name.log"; then
      echo "  warning: $name: engine timeout again, no failing input"; continue
    fi
  fi
  echo "FAILED: $pkg $name"; tail -n 30 "/tmp/fuzz-$name.log"; fail=1
done < <(grep -rn --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' . | sort)
exit $fail
