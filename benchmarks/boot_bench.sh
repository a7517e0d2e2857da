#!/usr/bin/env bash
# Boot benchmark: wall time from reset to the GRUB rescue CD's menu under pcjit's interpreter
# (-accel interp), pcjit's JIT (-accel jit) and QEMU (qemu-system-i386, TCG), on the same image
# with the same RAM, in one run. Each is timed REPEAT times (default 3), the three in turn so a
# slow phase of the host hits all of them; the median of each is reported with the ratios
# jit/qemu and interp/jit (time ratios: > 1 means the first one is slower).
#
# How the end is detected: pcjit's boot runner (tests/boot, pcjit_boot_test --accel ENGINE)
# checks the VGA text screen every 20 ms of virtual time and stops when "GNU GRUB  version" is
# on it; for QEMU a small QMP client saves the text buffer at 0xB8000 every 10 ms of wall time
# and looks for the same text. All times are of the whole process as seen from outside, so they
# include firmware start-up and process start-up (tens of milliseconds for QEMU).
#
# Usage: benchmarks/boot_bench.sh [--repeat N] [BUILD_DIR]   (default: 3, build)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
repeat=3
if [ "${1:-}" = "--repeat" ]; then repeat="$2"; shift 2; fi
build="${1:-$repo/build}"
image="$repo/cache/guests/grub-rescue-cdrom.iso"
ram_mib=32
expect="GNU GRUB  version"
runner="$build/tests/boot/pcjit_boot_test"
bash "$repo/scripts/setup.sh" --bench >/dev/null  # QEMU is the peer we compare against
[ -x "$runner" ] || { echo "boot_bench: $runner not built (ninja -C $build pcjit_boot_test)" >&2; exit 2; }
[ -f "$image" ] || bash "$repo/scripts/guests/build.sh" >/dev/null
[ -f "$image" ] || { echo "boot_bench: $image missing (install grub-rescue-pc)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# time_pcjit ENGINE: prints the wall seconds; keeps the runner's report in $out/ENGINE.log.
time_pcjit() {
  local t0 t1
  t0=$(date +%s.%N)
  "$runner" --accel "$1" -m $ram_mib --cdrom "$image" --boot d --expect "vga:$expect" \
    --max-insns 20000000000 > "$out/$1.log" ||
    { echo "boot_bench: pcjit -accel $1 did not reach the GRUB menu:" >&2; cat "$out/$1.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

time_qemu() {
  python3 - "$image" "$ram_mib" "$expect" <<'PY'
import json, os, socket, subprocess, sys, tempfile, time
image, ram, expect = sys.argv[1], sys.argv[2], sys.argv[3].encode()
d = tempfile.mkdtemp()
sock_path, dump = os.path.join(d, "qmp"), os.path.join(d, "vga")
start = time.monotonic()
qemu = subprocess.Popen(["qemu-system-i386", "-accel", "tcg", "-m", ram, "-cdrom", image, "-boot", "d",
                         "-display", "none", "-monitor", "none", "-serial", "none",
                         "-qmp", f"unix:{sock_path},server=on,wait=off"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    while not os.path.exists(sock_path):
        time.sleep(0.001)
    s = socket.socket(socket.AF_UNIX)
    while True:
        try:
            s.connect(sock_path)
            break
        except OSError:
            time.sleep(0.001)
    f = s.makefile("rw")
    def cmd(c, **args):
        f.write(json.dumps({"execute": c, "arguments": args} if args else {"execute": c}) + "\n")
        f.flush()
        while True:
            r = json.loads(f.readline())
            if "return" in r or "error" in r:
                return r
    f.readline()
    cmd("qmp_capabilities")
    while time.monotonic() - start < 600:
        cmd("pmemsave", val=0xB8000, size=4000, filename=dump)
        text = open(dump, "rb").read()[0::2]
        if expect in text:
            print(f"{time.monotonic() - start:.3f}")
            break
        time.sleep(0.01)
    else:
        print("timeout")
finally:
    qemu.kill()
    qemu.wait()
    for p in (sock_path, dump):
        if os.path.exists(p):
            os.unlink(p)
    os.rmdir(d)
PY
}

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
list() { local s='' v; for v in "$@"; do s+="$(printf '%.2f ' "$v")"; done; echo "${s% }"; }

interp=() jit=() qemu=()
for ((k = 1; k <= repeat; k++)); do
  t=$(time_pcjit interp); interp+=("$t")
  t=$(time_pcjit jit); jit+=("$t")
  q=$(time_qemu)
  [ "$q" = timeout ] && { echo "boot_bench: QEMU did not reach the GRUB menu" >&2; exit 1; }
  qemu+=("$q")
done
mi=$(median "${interp[@]}") mj=$(median "${jit[@]}") mq=$(median "${qemu[@]}")

echo "reset -> GRUB menu ($(basename "$image"), $ram_mib MiB), median of $repeat runs; host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "  command: $0 --repeat $repeat $build"
for e in interp jit; do
  echo "  pcjit -accel $e last run: $(grep -E '^retired' "$out/$e.log" || echo '?')"
done
printf '  %-28s %7.2f s   (runs: %s)\n' "pcjit -accel interp" "$mi" "$(list "${interp[@]}")" \
  "pcjit -accel jit" "$mj" "$(list "${jit[@]}")" \
  "qemu-system-i386 (TCG)" "$mq" "$(list "${qemu[@]}")"
printf '  time ratio jit/qemu:    %.2f  (>1: pcjit-jit slower than QEMU)\n' "$(echo "$mj / $mq" | bc -l)"
printf '  time ratio interp/jit:  %.2f  (>1: the JIT is faster than the interpreter)\n' "$(echo "$mi / $mj" | bc -l)"
