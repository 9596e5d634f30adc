#!/usr/bin/env bash
# Runs a static kernel test binary (and the seed example) inside a Debian 6.1 VM of the given architecture.
#   tools/ci/vm-suite.sh ARCH BUILD_DIR
# Prints the Catch2 summary and "N passed, N failed" (test cases; the example counts as one).
set -euo pipefail
cd "$(dirname "$0")/../.."
arch=$1
build=$2
kernels=${EBPF_KERNEL_DIR:-$HOME/.cache/ebpf-cxx/kernels}
tools/vm/fetch-kernels.sh "$kernels" >/dev/null
# Real systems have their kernel's config in /boot (.kconfig externs read it); give the VM its own.
image=$(readlink -f "$kernels/vmlinuz-$arch")
release=${image##*/vmlinuz-}
boot=()
[ -f "$kernels/config-$release" ] && boot=(--file "$kernels/config-$release:/boot/config-$release")
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
tools/vm/run.sh --arch "$arch" --kernel "$kernels/vmlinuz-$arch" --timeout 1200 \
    --file "$build/tests/test-kernel:/bin/test-kernel" --file "$build/bpf-progs:/progs" "${boot[@]}" \
    --env EBPF_TEST_BPF_DIR=/progs -- /bin/test-kernel --use-colour no >"$log" 2>&1 || status=$?
grep -E "FAILED|test cases|All tests passed|VM-TEST|run.sh:" "$log" || true
# Catch2 prints "All tests passed (A assertions in N test cases)" or "test cases: N | P passed | F failed".
passed=$(sed -n 's/.*All tests passed.* in \([0-9]*\) test case.*/\1/p; s/.*test cases: *\([0-9]*\) | *\([0-9]*\) passed.*/\2/p' "$log" | tail -n1)
failed=$(sed -n 's/.*test cases:.*| *\([0-9]*\) failed.*/\1/p' "$log" | tail -n1)
passed=${passed:-0}
failed=${failed:-0}
if [ "$status" != 0 ] && [ "$failed" = 0 ]; then
    tail -n 30 "$log"
    failed=1
fi
example=0
if [ -x "$build/docs/examples/cgroup_skb_counter" ]; then
    tools/vm/run.sh --arch "$arch" --kernel "$kernels/vmlinuz-$arch" --timeout 300 \
        --file "$build/docs/examples/cgroup_skb_counter:/bin/cgroup_skb_counter" --file "$build/bpf-progs:/progs" \
        -- /bin/cgroup_skb_counter /progs/cgroup_skb_counter.bpf.o >"$log" 2>&1 || example=$?
    grep -E "packets:|VM-TEST EXIT" "$log" || true
    if [ "$example" = 0 ] && grep -q "ingress packets: [1-9]" "$log" && grep -q "egress packets: [1-9]" "$log"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
