#!/usr/bin/env bash
# Boots the Linux benchmark guest's CD (scripts/guests/linux.sh builds it into cache/linux) under
# the pcjit CLI as QEMU would run it (-cdrom, -m 128, -nographic: COM1 on stdout), and checks
#   1. every reference result the guest prints (check_results.sh: the sha256 of 16 MiB of zeros,
#      gzip's output size and round trip, the nine cbench checksums, all from a native run), and
#   2. that pcjit exited with status 0, which it does only when the guest powered the machine off
#      through ACPI S5 (the guest's last act is `poweroff -f`; a triple fault is status 3, a CPU
#      stop 1), so the whole run, shutdown included, went as on a real PC.
# Exit 77 (ctest skip) when the CD is not built: the guest needs root and Debian's archive to
# build, which not every machine running the tests has.
# Usage: run_cd.sh PCJIT ISO OUTFILE TIMEOUT_S [--benches LIST] -- PCJIT_ARGS...
#   TIMEOUT_S stops a hung guest early enough for the transcript to be shown (below ctest's TIMEOUT).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pcjit="$1" iso="$2" out="$3" timeout_s="$4"
shift 4
check_args=()
if [ "${1:-}" = "--benches" ]; then check_args=(--benches "$2"); shift 2; fi
[ "${1:-}" = "--" ] && shift
if [ ! -f "$iso" ]; then
  echo "SKIP: Linux guest CD $iso is not built (run scripts/guests/linux.sh as root)"
  exit 77
fi
start=$(date +%s)
timeout --kill-after=10 "$timeout_s" "$pcjit" -cdrom "$iso" "$@" < /dev/null > "$out" 2> "$out.stderr"
status=$?
echo "pcjit exit status $status after $(($(date +%s) - start)) s; stderr:"
sed 's/^/  /' "$out.stderr"
echo "guest markers and results (full transcript: $out):"
tr -d '\r' < "$out" | grep -aE '@@PEER|CBENCH' | sed 's/^/  /'
fail=0
"$here/check_results.sh" "${check_args[@]}" "$out" || fail=1
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "FAIL: pcjit did not finish within $timeout_s s (killed)"
  fail=1
elif [ "$status" -ne 0 ]; then
  echo "FAIL: pcjit exit status $status, expected 0 (ACPI soft-off after the guest's poweroff)"
  fail=1
fi
[ "$fail" -eq 0 ] && echo "PASS: reference results and exit status 0"
exit "$fail"
