#!/usr/bin/env bash
# Installs everything pcjit needs on a fresh Debian 12 machine (run as root). Idempotent.
# `setup.sh --bench` also installs what the benchmarks compare against (QEMU from Debian).
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
pkgs=(build-essential cmake ninja-build libasmjit-dev libzydis-dev libfmt-dev doctest-dev
      zlib1g-dev nasm seabios
      isolinux xorriso grub-pc-bin grub-rescue-pc syslinux syslinux-common extlinux mtools memtest86+
      dosfstools libpng-dev)
if [ "${1:-}" = "--bench" ]; then pkgs+=(qemu-system-x86 bc python3); fi
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
