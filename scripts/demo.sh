#!/usr/bin/env bash
# One command from a fresh Debian 12 checkout to a running guest: installs the build
# dependencies (scripts/setup.sh), configures and builds pcjit in build/, then runs the bundled
# demo ROM with the instruction tracer on. The guest's console output goes to stdout, the trace
# to stderr; the script exits with the guest's exit status (0 = the demo checked its own result).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja
ninja -C build -j2 pcjit pcjit_roms
echo "== build/pcjit -bios build/roms/demo.bin --trace"
status=0
build/pcjit -bios build/roms/demo.bin --trace || status=$?
echo "== exit status: ${status}"
exit "${status}"
