#!/usr/bin/env bash
# Boot benchmark: wall time from reset to the GRUB rescue CD's menu, in pcjit and in QEMU
# (qemu-system-i386, TCG) on the same image with the same RAM, printed with their ratio.
#
# How the end is detected: pcjit's boot runner checks the VGA text screen every 20 ms of virtual
# time and stops when "GNU GRUB  version" is on it; for QEMU a small QMP client saves the text
# buffer at 0xB8000 every 10 ms of wall time and looks for the same text. Both include firmware
# start-up; QEMU's process start-up is included as well (tens of milliseconds).
#
# Usage: benchmarks/boot_bench.sh [BUILD_DIR]   (default: build)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$repo/build}"
image="$repo/cache/guests/grub-rescue-cdrom.iso"
ram_mib=32
runner="$build/tests/boot/pcjit_boot_test"
bash "$repo/scripts/setup.sh" --bench >/dev/null  # QEMU is the peer we compare against
[ -x "$runner" ] || { echo "boot_bench: $runner not built (ninja -C $build pcjit_boot_test)" >&2; exit 2; }
[ -f "$image" ] || bash "$repo/scripts/guests/build.sh" >/dev/null
[ -f "$image" ] || { echo "boot_bench: $image missing (install grub-rescue-pc)" >&2; exit 2; }

t0=$(date +%s.%N)
"$runner" -m $ram_mib --cdrom "$image" --boot d --expect "vga:GNU GRUB  version" \
  --max-insns 20000000000 > /tmp/boot_bench_pcjit.$$ || { cat /tmp/boot_bench_pcjit.$$; exit 1; }
t1=$(date +%s.%N)
pcjit_s=$(echo "$t1 - $t0" | bc -l)
grep -E '^retired' /tmp/boot_bench_pcjit.$$ || true
rm -f /tmp/boot_bench_pcjit.$$

qemu_s=$(python3 - "$image" "$ram_mib" <<'PY'
import json, os, socket, subprocess, sys, tempfile, time
image, ram = sys.argv[1], sys.argv[2]
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
        if b"GNU GRUB  version" in text:
            print(f"{time.monotonic() - start:.3f}")
            break
        time.sleep(0.01)
    else:
        print("timeout")
finally:
    qemu.kill()
    qemu.wait()
PY
)
[ "$qemu_s" = timeout ] && { echo "boot_bench: QEMU did not reach the GRUB menu" >&2; exit 1; }
printf 'reset -> GRUB menu (%s, %d MiB)\n  pcjit: %.2f s\n  qemu-system-i386 (TCG): %.2f s\n  ratio pcjit/qemu: %.2f\n' \
  "$(basename "$image")" $ram_mib "$pcjit_s" "$qemu_s" "$(echo "$pcjit_s / $qemu_s" | bc -l)"
