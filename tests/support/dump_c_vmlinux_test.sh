#!/bin/sh
# ebpf-tool btf dump on the running kernel's BTF: the header must compile with clang -target bpf, and the size of
# every uniquely named struct/union and the offset of its direct members must be what the BTF says (the expected
# numbers come from dump_c_asserts.py, a separate BTF reader). Also an object's .BTF, --root-type and exit codes.
# Usage: dump_c_vmlinux_test.sh EBPF_TOOL [BPF_PROGS_DIR]. Exit 77 (skip) without kernel BTF, clang or python3.
set -u
tool=$1
progs=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
vmlinux=${EBPF_TEST_VMLINUX:-/sys/kernel/btf/vmlinux}
clang=${CLANG:-clang}
[ -r "$vmlinux" ] || { echo "skip: no readable $vmlinux"; exit 77; }
command -v "$clang" >/dev/null 2>&1 || { echo "skip: $clang not found"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "skip: python3 not found"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Exit codes.
"$tool" btf >/dev/null 2>&1; [ $? = 2 ] || fail "btf without subcommand: expected exit 2"
"$tool" btf dump >/dev/null 2>&1; [ $? = 2 ] || fail "btf dump without FILE: expected exit 2"
"$tool" btf dump --bogus "$vmlinux" >/dev/null 2>&1; [ $? = 2 ] || fail "btf dump --bogus: expected exit 2"
"$tool" btf dump /nonexistent >/dev/null 2>&1; [ $? = 1 ] || fail "btf dump of a missing file: expected exit 1"
"$tool" btf dump /etc/passwd >/dev/null 2>&1; [ $? = 1 ] || fail "btf dump of a non-BTF file: expected exit 1"
"$tool" btf dump --root-type no_such_type_here "$vmlinux" >/dev/null 2>&1
[ $? = 1 ] || fail "btf dump --root-type of a missing type: expected exit 1"

# The whole kernel.
start=$(date +%s%N)
if ! "$tool" btf dump "$vmlinux" >"$tmp/vmlinux.h"; then
    fail "btf dump $vmlinux"
    exit 1
fi
dump_ms=$(( ($(date +%s%N) - start) / 1000000 ))
python3 "$here/dump_c_asserts.py" "$vmlinux" >"$tmp/asserts.inc" 2>"$tmp/asserts.count" || fail "dump_c_asserts.py"
cat >"$tmp/check.c" <<'EOC'
#include "vmlinux.h"
#include "asserts.inc"
/* CO-RE accesses through the header's types: preserve_access_index must apply. */
int task_pid(struct task_struct *t) { return t->pid + t->tgid; }
unsigned int skb_len(struct sk_buff *skb) { return skb->len; }
EOC
start=$(date +%s%N)
if "$clang" -target bpf -O2 -g -Wall -c "$tmp/check.c" -o "$tmp/check.o" 2>"$tmp/clang.log"; then
    echo "ok: $(wc -c <"$tmp/vmlinux.h")-byte header dumped in ${dump_ms} ms, compiled in" \
         "$(( ($(date +%s%N) - start) / 1000000 )) ms; asserted $(cat "$tmp/asserts.count")"
else
    head -40 "$tmp/clang.log"
    fail "the dumped vmlinux header does not compile or its layouts differ from the BTF"
fi
[ -s "$tmp/clang.log" ] && { echo "clang warnings:"; head -20 "$tmp/clang.log"; }

# Only what task_struct needs, under another guard and without the pragma.
if "$tool" btf dump --root-type "struct task_struct" --guard MY_H --no-preserve-access-index "$vmlinux" \
    >"$tmp/task.h"; then
    grep -q '^#ifndef MY_H$' "$tmp/task.h" || fail "--guard not applied"
    grep -q 'preserve_access_index' "$tmp/task.h" && fail "--no-preserve-access-index not applied"
    size=$(grep -F 'sizeof(struct task_struct)' "$tmp/asserts.inc")
    printf '#include "task.h"\n%s\n' "$size" >"$tmp/task.c"
    if "$clang" -target bpf -O2 -c "$tmp/task.c" -o "$tmp/task.o" 2>"$tmp/task.log"; then
        echo "ok: --root-type 'struct task_struct': $(wc -c <"$tmp/task.h") bytes, compiles, size matches"
    else
        head -20 "$tmp/task.log"
        fail "--root-type 'struct task_struct' header does not compile"
    fi
else
    fail "btf dump --root-type 'struct task_struct'"
fi

# An object's .BTF (ELF input).
if [ -n "$progs" ] && [ -f "$progs/globals.bpf.o" ]; then
    if "$tool" btf dump "$progs/globals.bpf.o" >"$tmp/obj.h" &&
        printf '#include "obj.h"\n' | "$clang" -target bpf -c -x c - -o /dev/null -I"$tmp"; then
        echo "ok: object .BTF dumps and compiles"
    else
        fail "btf dump of globals.bpf.o"
    fi
fi

[ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all ok"
