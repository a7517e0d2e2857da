#!/usr/bin/env bash
# The whole test suite as CI runs it: dependencies, a warnings-as-errors build of every target in
# build/, then every ctest (unit tests, guest ROM tests, instruction vectors, CLI and demo tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/guests/build.sh  # guest images for the boot tests (cache/guests, outside git)
cmake -S . -B build -G Ninja -DPCJIT_WERROR=ON
ninja -C build -j2
cd build
ctest --output-on-failure
