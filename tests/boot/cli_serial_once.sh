#!/usr/bin/env bash
# -nographic puts COM1 on stdout and nothing else. Two runs of the same guest for the same number
# of instructions (virtual time follows the instruction count, so both see the same events):
#   1. -nographic: stdout is the console transcript;
#   2. -nographic -serial file:F: stdout must be empty (pcjit mirrors neither the VGA screen nor
#      int 10h output anywhere) and F must equal transcript 1 byte for byte;
# and no non-blank line of the transcript may appear twice. The truth for the last check is QEMU
# (7.2, Debian), which with the same image and -nographic prints each of these lines once. What
# the guest itself sends twice differs in text and is not caught: with fw_cfg's nographic flag
# set (as QEMU sets it) SeaBIOS mirrors int 10h text to COM1 ("sercon"), and ISOLINUX's SERIAL
# directive also writes COM1 itself, so its banner shows up twice in QEMU too, one copy with
# "ETCD" in it.
# Usage: cli_serial_once.sh PCJIT IMAGE OUTFILE "TEXT1|TEXT2|..." -- PCJIT_ARGS...
# Exit 77 (ctest skip) when the image is not built yet.
set -uo pipefail
pcjit="$1" image="$2" out="$3" expects="$4"
shift 5
if [ ! -f "$image" ]; then
  echo "SKIP: guest image $image is not built (run scripts/guests/build.sh)"
  exit 77
fi
fail() { echo "FAIL: $*"; exit 1; }
"$pcjit" "$@" -nographic > "$out" 2> "$out.stderr" || fail "pcjit -nographic exit status $?"
cat -v "$out"
"$pcjit" "$@" -nographic -serial "file:$out.serial" > "$out.stdout" 2> "$out.stderr2" ||
  fail "pcjit -nographic -serial file: exit status $?"
[ -s "$out.stdout" ] && { cat -v "$out.stdout"; fail "stdout is not empty with COM1 in a file"; }
cmp -s "$out" "$out.serial" || fail "COM1's file differs from the -nographic transcript"
IFS='|' read -ra wanted <<< "$expects"
for w in "${wanted[@]}"; do
  grep -aqF -- "$w" "$out" || fail "\"$w\" not in the transcript"
done
dups=$(tr -d '\r' < "$out" | grep -av '^[[:space:]]*$' | sort | uniq -d)
[ -z "$dups" ] || fail "printed more than once: $(echo "$dups" | cat -v)"
echo PASS
