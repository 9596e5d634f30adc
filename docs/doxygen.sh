#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the API reference (docs/Doxyfile) into OUT_DIR/html and fails when Doxygen warns about anything.
#   docs/doxygen.sh [OUT_DIR]        (default: build-doxygen; the output is never committed)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build-doxygen}
mkdir -p "$out"
out=$(cd "$out" && pwd)
command -v doxygen >/dev/null || { echo "doxygen.sh: doxygen is not installed (Debian: apt-get install doxygen)" >&2; exit 1; }
warnings=$out/warnings.log
# The Doxyfile, with the output directory and the warning log of this run.
{ cat docs/Doxyfile; echo "OUTPUT_DIRECTORY = $out"; echo "WARN_LOGFILE = $warnings"; } | doxygen - >/dev/null
if [ -s "$warnings" ]; then
    echo "doxygen.sh: $(wc -l <"$warnings") warning line(s):" >&2
    cat "$warnings" >&2
    exit 1
fi
echo "doxygen.sh: $out/html/index.html, no warnings"
