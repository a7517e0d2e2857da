#!/usr/bin/env bash
# The whole test suite as CI runs it: dependencies, a warnings-as-errors build of every target in
# build/, then every ctest (unit tests, guest ROM tests, instruction vectors, CLI and demo tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/guests/build.sh  # guest images for the boot tests (cache/guests, outside git)
# The Linux guest of ctest -L linux (cache/linux): ~25 s to build when missing (root, Debian's
# archive), ~0 s when fresh. Without it those tests are skipped, so a failed build does not stop CI.
bash scripts/guests/linux.sh >/dev/null || echo "scripts/test.sh: no Linux guest; the linux tests will be skipped" >&2
cmake -S . -B build -G Ninja -DPCJIT_WERROR=ON
ninja -C build -j2
cd build
ctest --output-on-failure
