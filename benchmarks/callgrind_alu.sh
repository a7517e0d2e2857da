#!/usr/bin/env bash
# Host instructions per guest instruction, counted by callgrind (valgrind --tool=callgrind) on a
# benchmark loop (default: the register ALU loop) under each pcjit engine. Unlike wall time this
# does not depend on the host's load, so it shows small changes to the hot path.
#
# Method: pcjit_bench --accel ENGINE --insns N LOOP runs under callgrind twice, a long run of N
# and a short run of N/20 guest instructions; (Ir_long - Ir_short) / (N_long - N_short) removes
# everything both runs share: process start-up, machine construction, block building and
# translation. Callgrind counts translated JIT code like any other code (valgrind translates it
# in turn); --smc-check=all makes it notice code the JIT writes or patches through asmjit's
# second (RW) mapping, which the default check (code on the stack only) would miss.
#
# Usage: benchmarks/callgrind_alu.sh [--insns N] [--loop NAME] [--accel LIST] [--top K] [BUILD_DIR]
#   defaults: N = 20000000, NAME = alu, LIST = interp,jit, K = 8 (hottest functions of each long
#   run; JIT code shows as ???); BUILD_DIR = build
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
insns=20000000 loop=alu engines=interp,jit top=8
while [ $# -gt 0 ]; do
  case "$1" in
    --insns) insns="$2"; shift 2 ;;
    --loop) loop="$2"; shift 2 ;;
    --accel) engines="$2"; shift 2 ;;
    --top) top="$2"; shift 2 ;;
    -*) sed -n '13,15p' "$0" >&2; exit 2 ;;
    *) break ;;
  esac
done
build="${1:-$repo/build}"
bench="$build/benchmarks/pcjit_bench"
short=$((insns / 20))
command -v valgrind >/dev/null || { echo "callgrind_alu: valgrind not installed (apt-get install valgrind)" >&2; exit 2; }
[ -x "$bench" ] || { echo "callgrind_alu: $bench not built (ninja -C $build pcjit_bench)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# total_ir ENGINE N: runs the loop for N guest instructions under callgrind, prints the total Ir.
total_ir() {
  local f="$out/$1.$2"
  valgrind --tool=callgrind --smc-check=all --callgrind-out-file="$f.out" \
    "$bench" --accel "$1" --insns "$2" "$loop" > "$f.txt" 2> "$f.log" ||
    { echo "callgrind_alu: pcjit_bench --accel $1 failed under valgrind:" >&2; cat "$f.txt" "$f.log" >&2; exit 1; }
  # pcjit_bench's row: "LOOP INSNS MIPS"; the instruction limit must have been met exactly.
  local retired
  retired=$(awk -v l="$loop" '$1 == l {print $2}' "$f.txt")
  [ "$retired" = "$2" ] || { echo "callgrind_alu: $1 retired '$retired' instructions, not $2" >&2; exit 1; }
  awk '/^(summary|totals):/ {print $2; exit}' "$f.out"
}

echo "callgrind: host instructions (Ir) per guest instruction, loop $loop, $insns - $short guest insns"
echo "  command: $0 --insns $insns --loop $loop --accel $engines $build"
declare -A per
for e in ${engines//,/ }; do
  long_ir=$(total_ir "$e" "$insns")
  short_ir=$(total_ir "$e" "$short")
  per[$e]=$(echo "($long_ir - $short_ir) / ($insns - $short)" | bc -l)
  printf '  %-7s Ir %d (N=%d) - %d (N=%d): %.2f host insns per guest insn; start-up %.1f M Ir\n' \
    "$e" "$long_ir" "$insns" "$short_ir" "$short" "${per[$e]}" \
    "$(echo "($short_ir - ${per[$e]} * $short) / 1000000" | bc -l)"
  if [ "$top" -gt 0 ] && command -v callgrind_annotate >/dev/null; then
    callgrind_annotate --inclusive=no "$out/$e.$insns.out" 2>/dev/null |
      awk -v k="$top" '/file:function/ {on = 1; next} on && NF && !/^-+$/ && n < k {
        sub(/ \[[^]]*\]$/, ""); print "      " substr($0, 1, 150); n++}'
  fi
done
if [ -n "${per[interp]:-}" ] && [ -n "${per[jit]:-}" ]; then
  printf '  ratio interp/jit: %.2f (host instructions the interpreter spends per JIT host instruction)\n' \
    "$(echo "${per[interp]} / ${per[jit]}" | bc -l)"
fi
