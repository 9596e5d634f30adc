#!/bin/sh
# Runs the kernel suites in BIN_DIR against the running kernel, the same way on the host and in a test VM (busybox
# sh there): every Catch2 binary BIN_DIR/test-* (test-kernel, test-faults) with EBPF_TEST_CASES=1, so each test
# case prints its EBPF-CASE lines (tests/support/catch_main.cpp), then the README's example if BIN_DIR has it.
#
#   tools/vm/suites.sh BIN_DIR PROGS_DIR
#
# Around each suite:
#   EBPF-SUITE-BEGIN <name>
#   ... its output ...
#   EBPF-SUITE-END <name> <exit status>
# tools/matrix reads these lines. Exit status: 0 when every suite exited 0.
bin=$1
progs=$2
EBPF_TEST_CASES=1
EBPF_TEST_BPF_DIR=$progs
export EBPF_TEST_CASES EBPF_TEST_BPF_DIR
status=0
for exe in "$bin"/test-*; do
    [ -x "$exe" ] || continue
    name=${exe##*/}
    echo "EBPF-SUITE-BEGIN $name"
    "$exe" --use-colour no
    rc=$?
    echo
    echo "EBPF-SUITE-END $name $rc"
    [ "$rc" = 0 ] || status=1
done
if [ -x "$bin/cgroup_skb_counter" ]; then
    # Not a Catch2 binary: one case of our own, in the same format.
    case_name='cgroup_skb_counter: the README demo counts packets both ways'
    echo "EBPF-SUITE-BEGIN example"
    echo "EBPF-CASE-LIST [example] $case_name"
    echo "EBPF-CASE-START $case_name"
    out=$("$bin/cgroup_skb_counter" "$progs/cgroup_skb_counter.bpf.o" 2>&1)
    rc=$?
    echo "$out"
    result=FAIL
    if [ "$rc" = 0 ] && echo "$out" | grep -Eq '^ingress packets: [1-9][0-9]*$' \
        && echo "$out" | grep -Eq '^egress packets: [1-9][0-9]*$'; then
        result=PASS
    fi
    echo "EBPF-CASE $result [example] $case_name"
    echo "EBPF-SUITE-END example $rc"
    [ "$result" = PASS ] || status=1
fi
exit $status
