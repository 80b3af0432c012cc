#!/usr/bin/env bash
# Runs every native fuzz target for the given time (default 10s): `make fuzz FUZZTIME=10m` for a campaign.
# Crashers land in testdata/fuzz/<Target>/ beside the package and then run as regression tests in `go test`.
set -euo pipefail
cd "$(dirname "$0")/.."
t="${1:-10s}"
fail=0
while IFS= read -r line; do
  file=${line%%:*}
  name=$(sed -E 's/^.*func (Fuzz[A-Za-z0-9_]+).*/\1/' <<<"$line")
  pkg=./$(dirname "$file")
  echo "fuzz $pkg $name ($t)"
  if ! go test -run='^$' -fuzz="^${name}\$" -fuzztime="$t" "$pkg" >/tmp/fuzz-$name.log 2>&1; then
    echo "FAILED: $pkg $name"; tail -n 30 /tmp/fuzz-$name.log; fail=1
  fi
done < <(grep -rn --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' . | sort)
exit $fail
