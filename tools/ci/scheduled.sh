#!/usr/bin/env bash
# The scheduled run: what .ci/run leaves out to stay within its 60-minute budget. Run it and report the results
# (docs/testing.md has the last ones):
#   - the static musl builds for aarch64 (qemu-user unit suites, kernel binaries) and armhf (unit suites);
#   - the kernel matrix on every kernel, x86_64 and arm64, plus the asan, tsan and noexcept builds' kernel suites
#     on the host (tools/matrix --kernels all --sanitizers);
#   - the static sizes of x86_64 and aarch64 (tools/sizes).
# About 25 minutes on 2 cores after .ci/run (which builds build-x86_64, build-asan, build-tsan, build-noexcept).
# Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
logs=${EBPF_SCHEDULED_LOGS:-ci-logs/scheduled}
mkdir -p "$logs"
passed=0 failed=0
run() { # name command...
    local name=$1; shift
    local t0=$SECONDS out
    printf '\n=== %s ===\n' "$name"
    "$@" 2>&1 | tee "$logs/$name.log"
    out=$(tail -n 1 "$logs/$name.log")
    if [[ $out =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
    else
        failed=$((failed + 1)); echo "$name: no result line"
    fi
    echo "=== $name: $((SECONDS - t0)) s ==="
}
run cross-aarch64 tools/ci/cross.sh aarch64-linux-musl build-aarch64 --kernel-tests
run cross-armhf tools/ci/cross.sh arm-linux-musleabihf build-armhf
run matrix tools/matrix --kernels all --sanitizers --logs "$logs/matrix" --markdown "$logs/matrix.md"
run sizes tools/sizes
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
