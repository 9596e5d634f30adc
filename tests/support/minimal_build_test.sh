#!/bin/sh
# What a library built with -Dkernel_btf=false promises: the seed example works, objects without CO-RE or
# externs load, and programs (or struct_ops variables) that need the kernel's BTF fail with an error that names
# the build option.
#   minimal_build_test.sh EBPF_TOOL EXAMPLE BPF_PROGS_DIR
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
set -u
tool=$1 example=$2 progs=$3
fail=0
check() { # description, then a command that must succeed
    what=$1; shift
    if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; fail=1; fi
}
out=$("$example" "$progs/cgroup_skb_counter.bpf.o" 2>&1)
echo "$out"
check "example prints the ingress count" sh -c "echo '$out' | grep -Eq '^ingress packets: [1-9][0-9]*$'"
check "example prints the egress count" sh -c "echo '$out' | grep -Eq '^egress packets: [1-9][0-9]*$'"
check "an object without CO-RE or externs loads" "$tool" load "$progs/globals.bpf.o"
for obj in core_task externs tcp_cc; do
    err=$("$tool" load "$progs/$obj.bpf.o" 2>&1); rc=$?
    echo "$err" | tail -n 2
    check "$obj.bpf.o fails (exit 1)" [ "$rc" = 1 ]
    check "$obj.bpf.o: the error names -Dkernel_btf=false" sh -c "echo \"\$1\" | grep -q -- '-Dkernel_btf=false'" sh "$err"
done
exit $fail
