#!/usr/bin/env bash
# Static musl build for one target with zig, and its unit suites (under qemu-user for foreign targets).
#   tools/ci/cross.sh TRIPLE BUILD_DIR [--kernel-tests]
# With --kernel-tests, also builds the kernel test binary (for tools/vm/run.sh). Prints "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/../.."
triple=$1
build=$2
shift 2
extra=(-Dtools=disabled -Dexamples=disabled)
[ "${1:-}" = --kernel-tests ] && extra=(-Dtools=enabled -Dexamples=enabled)
prefix=${EBPF_ZIG_PREFIX:-$HOME/.cache/ebpf-cxx/zig}
tools/cross/setup-zig.sh "$prefix" >/dev/null
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" --cross-file "$prefix/zig-paths.ini" --cross-file "tools/cross/$triple.ini" \
        --buildtype=minsize "${extra[@]}" >/dev/null
fi
ninja -C "$build"
status=0
meson test -C "$build" --suite unit --print-errorlogs --num-processes 2 || status=$?
python3 tools/ci/test-summary.py --skips-fail "$build/meson-logs/testlog.json" || status=1
exit $status
