#!/usr/bin/env bash
# Builds the guest images the boot tests and the boot benchmark use, from Debian packages only,
# into cache/guests/ (git ignores /cache/). Nothing needs root: no loop mounts; FAT file systems
# are written with mtools and syslinux installs itself through mtools.
#
# Images (each rebuilt only when missing or older than this script, so a fresh cache costs ~0 s):
#   isolinux.iso   ISOLINUX El Torito CD (no emulation, boot-info-table) that stops at its prompt
#   grub-rescue-cdrom.iso, grub-rescue-floppy.img   copies of grub-rescue-pc's images
#   hd-syslinux.img  32 MiB disk: syslinux MBR, one bootable FAT16 partition at LBA 2048 with
#                  SYSLINUX installed, stopping at its prompt
#   memtest86+.iso the ia32 ISO of the memtest86+ package
# The loaders' configs also send their output to COM1 (SERIAL 0) so a test can read it either way.
#
# Usage: scripts/guests/build.sh [OUTDIR]   (default: <repo>/cache/guests)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${1:-$repo/cache/guests}"
mkdir -p "$out"
self="$here/build.sh"
missing=()

need() {  # need FILE PACKAGE: records a missing prerequisite instead of failing half-way
  if [ ! -e "$1" ]; then missing+=("$2 ($1)"); return 1; fi
}

fresh() {  # fresh OUTPUT: true when OUTPUT exists and is newer than this script
  [ -s "$1" ] && [ "$1" -nt "$self" ]
}

le32() {  # le32 N: N as 4 little-endian bytes in printf escape form
  printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255))
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# --- ISOLINUX CD ---------------------------------------------------------------------------
build_isolinux() {
  local iso="$out/isolinux.iso"
  fresh "$iso" && return 0
  need /usr/lib/ISOLINUX/isolinux.bin isolinux || return 0
  need /usr/lib/syslinux/modules/bios/ldlinux.c32 syslinux-common || return 0
  command -v xorriso >/dev/null || { missing+=("xorriso"); return 0; }
  local d="$tmp/iso"
  mkdir -p "$d/isolinux"
  cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$d/isolinux/"
  cat > "$d/isolinux/isolinux.cfg" <<'CFG'
SERIAL 0 115200
SAY pcjit isolinux test CD
PROMPT 1
TIMEOUT 0
CFG
  xorriso -as mkisofs -quiet -o "$iso.tmp" -b isolinux/isolinux.bin -c isolinux/boot.cat \
    -no-emul-boot -boot-load-size 4 -boot-info-table -V PCJIT_ISOLINUX "$d"
  mv "$iso.tmp" "$iso"
  echo "built $iso"
}

# --- GRUB rescue CD and floppy ---------------------------------------------------------------
copy_grub() {
  local src="/usr/lib/grub-rescue/$1"
  fresh "$out/$1" && return 0
  need "$src" grub-rescue-pc || return 0
  cp "$src" "$out/$1.tmp"
  # The rescue floppy is shorter than a disk; pad it to a 1.44 MB medium (2880 sectors) so the
  # drive geometry is the standard one (QEMU guesses the same from the size).
  case "$1" in *floppy*) truncate -s 1474560 "$out/$1.tmp" ;; esac
  mv "$out/$1.tmp" "$out/$1"
  echo "built $out/$1"
}

# --- Hard disk: MBR + bootable FAT16 partition + SYSLINUX -----------------------------------
build_hd() {
  local img="$out/hd-syslinux.img"
  fresh "$img" && return 0
  need /usr/lib/syslinux/mbr/mbr.bin syslinux-common || return 0
  command -v syslinux >/dev/null || { missing+=("syslinux"); return 0; }
  command -v mkfs.fat >/dev/null || { missing+=("dosfstools"); return 0; }
  command -v mcopy >/dev/null || { missing+=("mtools"); return 0; }
  local total=65536 start=2048               # 32 MiB disk, partition aligned at 1 MiB
  local count=$((total - start))
  local part="$tmp/part.img"
  # -h: hidden sectors = partition start, which the FAT boot sector needs to find itself.
  mkfs.fat -F 16 -n PCJITHD -h $start -C "$part" $((count / 2)) >/dev/null
  syslinux --install "$part"
  cat > "$tmp/syslinux.cfg" <<'CFG'
SERIAL 0 115200
SAY pcjit hard-disk test image: SYSLINUX loaded from the FAT partition
PROMPT 1
TIMEOUT 0
CFG
  MTOOLS_SKIP_CHECK=1 mcopy -o -i "$part" "$tmp/syslinux.cfg" ::/syslinux.cfg
  # MBR: syslinux's boot code (440 bytes), then one partition entry (active, type 0x06 FAT16,
  # CHS for a 16-head 63-sector geometry: start 2/0/33, end 64/15/63), then 0x55AA.
  truncate -s $((total * 512)) "$img.tmp"
  dd if=/usr/lib/syslinux/mbr/mbr.bin of="$img.tmp" conv=notrunc bs=440 count=1 status=none
  printf "\\x80\\x00\\x21\\x02\\x06\\x0f\\xff\\x40$(le32 $start)$(le32 $count)" |
    dd of="$img.tmp" conv=notrunc bs=1 seek=446 status=none
  printf '\x55\xaa' | dd of="$img.tmp" conv=notrunc bs=1 seek=510 status=none
  dd if="$part" of="$img.tmp" conv=notrunc bs=512 seek=$start status=none
  mv "$img.tmp" "$img"
  echo "built $img"
}

# --- memtest86+ -----------------------------------------------------------------------------
copy_memtest() {
  local src=/usr/lib/memtest86+/memtest86+ia32.iso
  fresh "$out/memtest86+.iso" && return 0
  need "$src" memtest86+ || return 0
  cp "$src" "$out/memtest86+.iso.tmp" && mv "$out/memtest86+.iso.tmp" "$out/memtest86+.iso"
  echo "built $out/memtest86+.iso"
}

build_isolinux
copy_grub grub-rescue-cdrom.iso
copy_grub grub-rescue-floppy.img
build_hd
copy_memtest

if [ ${#missing[@]} -gt 0 ]; then
  echo "scripts/guests/build.sh: skipped images, missing: ${missing[*]} (run scripts/setup.sh)" >&2
fi
exit 0
