#!/usr/bin/env bash
# Builds the Linux benchmark guest (a Debian i386 kernel, a busybox initramfs and cbench, from
# Debian packages only) into cache/linux/ (git ignores /cache/) by calling the shared guest's own
# build script, ../shared/guests/linux/build.sh, which is the one definition of the guest; this
# script only picks the output folder and skips the build when the cache is fresh (boot.iso newer
# than every file of the guest's sources), so a warm cache costs ~0 s. A build needs root
# (build.sh installs gcc-multilib and friends and adds dpkg's i386 architecture) and apt access
# to Debian (~20-40 s: apt-get update, the kernel and busybox-static packages).
#
# --benches LIST builds a CD whose kernel command line sets peer.benches=LIST (the guest reads its
# choice of workloads only from there) into cache/linux-<LIST, commas as dashes>/, e.g.
# --benches sha256 -> cache/linux-sha256/boot.iso, for a short benchmark or test.
#
# Usage: scripts/guests/linux.sh [--benches LIST] [OUTDIR]
# Prints the folder holding boot.iso on stdout; exits 1 when the guest cannot be built.
# PCJIT_LINUX_GUEST_SRC overrides where the guest's sources are.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
src="${PCJIT_LINUX_GUEST_SRC:-$repo/../shared/guests/linux}"
benches=""
if [ "${1:-}" = "--benches" ]; then benches="$2"; shift 2; fi
# build.sh's default command line; a workload choice is appended to it.
cmdline="console=ttyS0,115200 quiet panic=-1"
if [ -z "$benches" ] || [ "$benches" = "dd,sha256,gzip,gunzip,cbench" ]; then
  out="${1:-$repo/cache/linux}"
else
  out="${1:-$repo/cache/linux-${benches//,/-}}"
  cmdline+=" peer.benches=$benches"
fi

fresh() {
  [ -s "$out/boot.iso" ] || return 1
  local f
  for f in "$here/linux.sh" "$src"/*; do
    [ "$out/boot.iso" -nt "$f" ] || return 1
  done
}

if [ -d "$src" ] && fresh; then echo "$out"; exit 0; fi
[ -f "$src/build.sh" ] ||
  { echo "scripts/guests/linux.sh: no guest sources at $src (set PCJIT_LINUX_GUEST_SRC)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] ||
  { echo "scripts/guests/linux.sh: building the guest needs root (apt-get, dpkg)" >&2; exit 1; }
# Built next to OUTDIR and renamed into it file by file, so a guest that another process is
# booting from the cache is never seen half-written. build.sh prints its versions.txt; stdout is
# kept for the folder name alone.
mkdir -p "$(dirname "$out")"
tmp="$(mktemp -d "$out.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
if ! CMDLINE="$cmdline" bash "$src/build.sh" "$tmp" >&2; then
  echo "scripts/guests/linux.sh: $src/build.sh failed" >&2
  exit 1
fi
mkdir -p "$out"
for f in "$tmp"/*; do mv -f "$f" "$out/"; done
echo "$out"
