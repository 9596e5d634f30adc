#!/usr/bin/env bash
# Runs the static kernel suites of BUILD_DIR (and the seed example) in one Debian VM of the given architecture and
# kernel series (default 6.1), through tools/matrix. Kept for scripts that called it before tools/matrix existed.
#   tools/ci/vm-suite.sh ARCH BUILD_DIR [SERIES]
# Prints the matrix and "N passed, N failed" (test cases).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec tools/matrix --kernels "$1:${3:-6.1}" --build-dir "$1=$2"
