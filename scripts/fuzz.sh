#!/usr/bin/env bash
# Runs every fuzz target of the project for $1 each (default 30s).
#   scripts/fuzz.sh [DURATION]     e.g. scripts/fuzz.sh 2m
# Targets are found by name (func FuzzXxx in *_test.go); a failing input is
# written under the package's testdata/fuzz/ by `go test` and the script
# stops with its exit code. No database is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
TIME=${1:-30s}
# New inputs are minimised for at most this long: the default (60s) lets
# one minimisation of a multi-line CSV seed eat a whole short run.
MINIMIZE=${FUZZMINIMIZE:-2s}
status=0
while IFS= read -r line; do
  file=${line%%:*}
  name=$(sed -E 's/.*func (Fuzz[A-Za-z0-9_]+)\(.*/\1/' <<<"$line")
  pkg=$(dirname "$file")
  echo "== $pkg $name ($TIME)"
  if ! go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$TIME" -fuzzminimizetime "$MINIMIZE"; then
    echo "fuzz.sh: $name failed (see $pkg/testdata/fuzz/$name/)" >&2
    status=1
    break
  fi
done < <(grep -rn --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' . | grep -v '^./var/' | sort)
exit $status
