#!/usr/bin/env bash
# Runs the pcjit CLI on a guest image and checks its output (VGA text from --vga-text and/or the
# serial console from -nographic) for each expected text, and that pcjit exited with status 0 (a
# lockstep divergence is status 1). Exit 77 (ctest skip) when the image is not built yet.
# Usage: cli_boot.sh PCJIT IMAGE OUTFILE "TEXT1|TEXT2|..." -- PCJIT_ARGS...
set -uo pipefail
pcjit="$1" image="$2" out="$3" expects="$4"
shift 5
if [ ! -f "$image" ]; then
  echo "SKIP: guest image $image is not built (run scripts/guests/build.sh)"
  exit 77
fi
"$pcjit" "$@" > "$out" 2>&1
status=$?
cat -v "$out" | tail -40
IFS='|' read -ra wanted <<< "$expects"
for w in "${wanted[@]}"; do
  if ! grep -aqF -- "$w" "$out"; then
    echo "FAIL: \"$w\" not in the output (pcjit exit status $status)"
    exit 1
  fi
done
# With --stats, a lockstep run that compared no block proves nothing.
if grep -aqE '^  lockstep blocks +0$' "$out"; then
  echo "FAIL: lockstep compared no block"
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "FAIL: pcjit exit status $status"
  exit 1
fi
echo PASS
