#!/usr/bin/env bash
# Rebuilds testdata/demo from ../shared/data (maintainers only: a clone of
# the repository has no ../shared). Real files go to testdata/demo, synthetic
# ones to testdata/demo/synthetic (always labelled as demonstration data).
# gzip -n keeps the output byte-identical across runs.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared/data}
[ -d "$SHARED/raw" ] || { echo "demo-data.sh: $SHARED/raw introuvable (variable SHARED)" >&2; exit 1; }
mkdir -p testdata/demo/synthetic
for f in "$SHARED"/raw/*; do
  b=$(basename "$f")
  case "$b" in
    sies_insertion_pro_master_*) continue ;;   # predecessor survey: no reader yet
  esac
  gzip -9 -n -c "$f" > "testdata/demo/$b.gz"
done
for f in "$SHARED"/synthetic/*.csv "$SHARED"/synthetic/*.json; do
  b=$(basename "$f")
  [ "$b" = truth.json ] && continue
  gzip -9 -n -c "$f" > "testdata/demo/synthetic/$b.gz"
done
du -sh testdata/demo
