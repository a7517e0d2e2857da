#!/usr/bin/env bash
# Linux benchmark: the Linux benchmark guest's CD (scripts/guests/linux.sh builds it into
# cache/linux from ../shared/guests/linux) booted through SeaBIOS under pcjit's JIT (-accel jit),
# pcjit's interpreter (-accel interp) and QEMU (qemu-system-i386, TCG), each REPEAT times, the
# engines in turn so a slow phase of the host hits all of them. It reports wall-clock seconds per
# phase, the median of the runs of each engine, and the time ratios jit/qemu and interp/jit
# (> 1: the first is slower):
#   boot     process start to the guest's "@@PEER BOOT-OK" line (firmware, ISOLINUX, kernel, init)
#   WORKLOAD "@@PEER BEGIN x" to "@@PEER END x" for dd, sha256, gzip, gunzip, cbench
#   total    process start to process exit (the guest powers off after its last workload)
# Each serial line is timestamped when it arrives on the pipe from the emulator's stdout
# (-nographic), so the figures are host time: the guest prints its own guest_s= too, but under
# pcjit that is virtual time (it follows the instruction count), not comparable with QEMU's.
# That makes the phase figures only as good as the emulator's output is prompt: a run whose lines
# came in one burst (BOOT-OK and DONE in the same read(), or a phase the guest timed at >= 0.5 s
# begun and ended in the same read()) had its output held back, and its phase cells print
# "held" instead of a number; total is measured from outside and stays valid.
#
# Every run must print exactly the reference results (tests/linux/check_results.sh against
# tests/linux/reference_results.txt, the guest README's native results) and exit; otherwise the
# script stops with the check's report and the run's transcript, whatever the times.
#
# --benches LIST times only those workloads (the guest's peer.benches, e.g. sha256 or
# gzip,gunzip), on a CD of their own that scripts/guests/linux.sh builds into cache/linux-LIST/,
# since the guest reads the choice only from the kernel command line on the CD.
# --no-interp leaves out the interpreter (~14x QEMU's time: minutes per run).
# --timeout S kills a run after S seconds (default 1800) and fails.
#
# Usage: benchmarks/linux_bench.sh [--repeat N] [--benches LIST] [--no-interp] [--timeout S] [BUILD_DIR]
#        (defaults: 3, every workload, with the interpreter, 1800, build)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
command="$0 $*"
repeat=3 benches="" interp=1 timeout_s=1800
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) repeat="$2"; shift 2 ;;
    --benches) benches="$2"; shift 2 ;;
    --no-interp) interp=0; shift ;;
    --timeout) timeout_s="$2"; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "linux_bench: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
build="$(cd "${1:-$repo/build}" && pwd)"
pcjit="$build/pcjit"
[ -x "$pcjit" ] || { echo "linux_bench: $pcjit not built (ninja -C $build pcjit)" >&2; exit 2; }
bash "$repo/scripts/setup.sh" --bench >/dev/null  # QEMU is the peer we compare against; python3
guest=$(bash "$repo/scripts/guests/linux.sh" ${benches:+--benches "$benches"}) ||
  { echo "linux_bench: the Linux guest could not be built (scripts/guests/linux.sh)" >&2; exit 2; }
iso="$guest/boot.iso"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

python3 - "$repo" "$pcjit" "$iso" "$repeat" "${benches:-dd,sha256,gzip,gunzip,cbench}" "$interp" \
  "$timeout_s" "$out" "$command" <<'PY'
import os, re, selectors, statistics, subprocess, sys, time

repo, pcjit, iso, repeat, benches, with_interp, timeout_s, out, command = sys.argv[1:]
repeat, timeout_s = int(repeat), float(timeout_s)
checker = os.path.join(repo, "tests/linux/check_results.sh")
chosen = benches.split(",")
# The steps the guest runs for this choice, in its order (bench.sh: sha256 hashes dd's file,
# gunzip decompresses gzip's output).
steps = [s for s in ("dd", "sha256", "gzip", "gunzip", "cbench")
         if s in chosen or (s == "dd" and "sha256" in chosen) or (s == "gzip" and "gunzip" in chosen)]
phases = ["boot"] + steps + ["total"]

engines = {
    "jit": [pcjit, "-accel", "jit", "-cdrom", iso, "-m", "128", "-nographic"],
    "interp": [pcjit, "-accel", "interp", "-cdrom", iso, "-m", "128", "-nographic"],
    "qemu": ["qemu-system-i386", "-accel", "tcg", "-cdrom", iso, "-m", "128", "-nographic", "-no-reboot"],
}
order = ["jit", "qemu"] + (["interp"] if with_interp == "1" else [])
label = {"jit": "pcjit-jit", "interp": "pcjit-interp", "qemu": "qemu-tcg"}

def run(engine, k):
    """One boot; returns (phase -> seconds or None when held back, exit status)."""
    base = os.path.join(out, f"{engine}.{k}")
    lines = []  # (arrival seconds, index of the read() that completed the line, text)
    pending, reads = b"", 0
    with open(base + ".stderr", "wb") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(engines[engine], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
        sel = selectors.DefaultSelector()
        sel.register(p.stdout, selectors.EVENT_READ)
        while True:
            left = t0 + timeout_s - time.monotonic()
            if left <= 0 or not sel.select(left):
                p.kill()
                p.wait()
                sys.exit(f"linux_bench: {label[engine]} run {k} did not finish within {timeout_s:.0f} s")
            data = os.read(p.stdout.fileno(), 65536)
            now = time.monotonic() - t0
            if not data:
                break
            reads += 1
            pending += data
            *done, pending = pending.split(b"\n")
            lines += [(now, reads, l.decode("latin-1").rstrip("\r")) for l in done]
        status = p.wait()
        t_exit = time.monotonic() - t0
    if pending:
        lines.append((t_exit, reads + 1, pending.decode("latin-1")))
    with open(base + ".serial", "w", encoding="latin-1") as f:
        f.writelines(text + "\n" for _, _, text in lines)
    check = subprocess.run([checker, "--benches", benches, base + ".serial"], capture_output=True, text=True)
    if check.returncode != 0:
        tail = "".join(text + "\n" for _, _, text in lines[-40:])
        sys.exit(f"linux_bench: {label[engine]} run {k} (exit status {status}) did not print the reference "
                 f"results:\n{check.stdout}{check.stderr}--- last lines of its serial output:\n{tail}")

    def first(pattern):
        for t, r, text in lines:
            m = re.search(pattern, text)
            if m:
                return t, r, m
        raise AssertionError(pattern)  # check_results.sh has seen every marker
    res = {"total": t_exit}
    t_boot, r_boot, _ = first(r"@@PEER BOOT-OK")
    _, r_done, _ = first(r"@@PEER DONE")
    held = r_boot == r_done
    res["boot"] = t_boot
    for s in steps:
        tb, rb, _ = first(rf"@@PEER BEGIN {s}\b")
        te, re_, m = first(rf"@@PEER END {s} guest_s=([0-9.]+)")
        held |= rb == re_ and float(m.group(1)) >= 0.5
        res[s] = te - tb
    if held:
        for ph in ["boot"] + steps:
            res[ph] = None
    return res, status

times = {e: {ph: [] for ph in phases} for e in order}
status = {e: [] for e in order}
load_start = open("/proc/loadavg").read().split()[:3]
for k in range(1, repeat + 1):
    for e in order:
        res, st = run(e, k)
        status[e].append(st)
        for ph in phases:
            times[e][ph].append(res[ph])

def median(e, ph):
    v = times[e][ph]
    return None if None in v else statistics.median(v)

def cell(v):
    return f"{v:9.2f}" if v is not None else f"{'held':>9}"

def ratio(a, b):
    return f"{a / b:9.2f}" if a is not None and b else f"{'--':>9}"

load_end = open("/proc/loadavg").read().split()[:3]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
kernel = next((" ".join(l.split()[1:3]) for l in open(os.path.join(os.path.dirname(iso), "versions.txt"))
               if l.startswith("kernel_pkg")), "?")
print(f"Linux guest {iso} ({kernel}, 128 MiB, workloads {benches}): wall seconds, median of {repeat} runs")
print(f"  host: {cpu}, {os.cpu_count()} CPUs; load average (1/5/15 min) {' '.join(load_start)} at start, "
      f"{' '.join(load_end)} at end")
print(f"  command: {command}")
head = "".join(f"{label[e]:>14}" for e in order)
print(f"  {'phase':<8}{head}{'jit/qemu':>10}" + (f"{'interp/jit':>12}" if "interp" in order else ""))
for ph in phases:
    row = "".join(f"{cell(median(e, ph)):>14}" for e in order)
    row += f"{ratio(median('jit', ph), median('qemu', ph)):>10}"
    if "interp" in order:
        row += f"{ratio(median('interp', ph), median('jit', ph)):>12}"
    print(f"  {ph:<8}{row}")
for e in order:
    runs = " ".join(f"{t:.2f}" for t in times[e]["total"])
    print(f"  {label[e]:<13} total of each run: {runs}; exit status: {' '.join(map(str, status[e]))}")
print(f"  every run printed exactly the reference results of tests/linux/reference_results.txt")
held = [label[e] for e in order if any(v is None for v in times[e]["boot"])]
if held:
    print(f"  held: the serial output of {', '.join(held)} came in bursts (see the top of benchmarks/linux_bench.sh), "
          f"so its lines' arrival times are not the guest's; only total is measured there")
PY
