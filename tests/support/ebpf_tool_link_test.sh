#!/bin/bash
# SPDX-License-Identifier: MIT
# ebpf-tool link against bpftool gen object (libbpf's linker) on the same inputs: the same programs (names,
# sections, instruction counts, func/line info counts), maps (names, types, sizes) and BTF type counts per kind;
# both outputs load the same way (root). Bad input: one line on stderr, exit 1, no output file left behind.
# Usage: ebpf_tool_link_test.sh EBPF_TOOL BPF_PROGS_DIR
set -u
tool=$1
dir=$2
fail() { echo "FAIL: $*"; exit 1; }
command -v bpftool >/dev/null || { echo "SKIP: bpftool is not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# Kind counts of an object's BTF, one "KIND COUNT" line per kind.
kinds() { bpftool btf dump file "$1" | grep '^\[' | awk '{print $2}' | sort | uniq -c | awk '{print $2, $1}'; }
# Programs and maps as ebpf-tool inspect describes them (both outputs are read by the same parser).
shape() {
    "$tool" inspect --json "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for p in sorted(d["programs"], key=lambda p: p["name"]):
    print("prog", p["name"], p["section"], p["type"], p["instructions"], p["func_info"], p["line_info"], sorted(p["maps"]))
for m in sorted(d["maps"], key=lambda m: m["name"]):
    print("map", m["name"], m["type"], m["key_size"], m["value_size"], m["max_entries"], m["flags"], m["key_type"], m["value_type"])
for e in sorted(d["externs"], key=lambda e: e["name"]):
    print("extern", e["name"])
print("license", d["license"])'
}

for order in "link_a link_b" "link_b link_a"; do
    set -- $order
    in1=$dir/$1.bpf.o
    in2=$dir/$2.bpf.o
    "$tool" link "$T/ours.o" "$in1" "$in2" || fail "ebpf-tool link $order failed"
    bpftool gen object "$T/ref.o" "$in1" "$in2" 2>"$T/bpftool.err" || fail "bpftool gen object $order failed: $(cat "$T/bpftool.err")"
    kinds "$T/ours.o" >"$T/ours.kinds"
    kinds "$T/ref.o" >"$T/ref.kinds"
    echo "BTF kinds ($order): ours / bpftool"
    paste "$T/ours.kinds" "$T/ref.kinds"
    diff "$T/ours.kinds" "$T/ref.kinds" >/dev/null || fail "BTF type counts per kind differ ($order)"
    shape "$T/ours.o" >"$T/ours.shape" || fail "inspect of our output failed"
    shape "$T/ref.o" >"$T/ref.shape" || fail "inspect of bpftool's output failed"
    diff -u "$T/ref.shape" "$T/ours.shape" || fail "programs or maps differ from bpftool's ($order)"
    [ "$(grep -c '^prog' "$T/ours.shape")" = 2 ] || fail "expected 2 programs"
    # gen object is the same command.
    "$tool" gen object "$T/ours2.o" "$in1" "$in2" || fail "ebpf-tool gen object failed"
    cmp -s "$T/ours.o" "$T/ours2.o" || fail "gen object and link outputs differ"
    if [ "$(id -u)" = 0 ]; then
        "$tool" load "$T/ours.o" | sed 's/(id [0-9]*, /(/' >"$T/ours.load" || fail "loading our output failed: $(cat "$T/ours.load")"
        "$tool" load "$T/ref.o" | sed 's/(id [0-9]*, /(/' >"$T/ref.load" || fail "loading bpftool's output failed"
        diff -u "$T/ref.load" "$T/ours.load" || fail "the outputs load differently ($order)"
    fi
done

# Every object of bpf-progs alone, and pairs of some that link together: BTF kind counts equal to bpftool's (BTF
# dedup on real clang output: vmlinux-style types, CO-RE flavors, kfuncs, struct_ops), and (as root, where the
# loader can relocate them against the running kernel) the same relocated instructions.
# Objects neither bpftool nor we can link (two strong definitions of LICENSE-less maps, ...) must fail in both.
singles=0
for o in "$dir"/*.bpf.o; do
    n=$(basename "$o" .bpf.o)
    bpftool gen object "$T/s.ref" "$o" 2>/dev/null || continue
    "$tool" link "$T/s.ours" "$o" || fail "ebpf-tool link $n failed where bpftool succeeded"
    [ "$(kinds "$T/s.ours")" = "$(kinds "$T/s.ref")" ] || fail "$n: BTF type counts per kind differ from bpftool's"
    if [ "$(id -u)" = 0 ]; then
        a=$("$tool" dump-insns "$T/s.ours" 2>/dev/null | sed 's/s\.ours/X/g')
        b=$("$tool" dump-insns "$T/s.ref" 2>/dev/null | sed 's/s\.ref/X/g')
        [ "$a" = "$b" ] || fail "$n: relocated instructions differ from those of bpftool's output"
    fi
    singles=$((singles + 1))
done
[ $singles -ge 10 ] || fail "only $singles objects compared"
pairs=0
set -- globals maps calls core_task externs net_parse hidden_subprog iters xdp_net skeleton_demo syscall_run
for a in "$@"; do
    for b in "$@"; do
        [ "$a" = "$b" ] && continue
        [ -e "$dir/$a.bpf.o" ] && [ -e "$dir/$b.bpf.o" ] || continue
        bpftool gen object "$T/p.ref" "$dir/$a.bpf.o" "$dir/$b.bpf.o" 2>/dev/null
        r1=$?
        "$tool" link "$T/p.ours" "$dir/$a.bpf.o" "$dir/$b.bpf.o" 2>/dev/null
        r2=$?
        [ $r1 = 0 ] || [ $r2 = 0 ] || continue
        [ $r1 = $r2 ] || fail "$a + $b: bpftool exits $r1, ebpf-tool $r2"
        [ "$(kinds "$T/p.ours")" = "$(kinds "$T/p.ref")" ] || fail "$a + $b: BTF type counts per kind differ"
        pairs=$((pairs + 1))
    done
done
echo "same BTF kind counts as bpftool: $singles objects alone, $pairs pairs"

# Bad input: exit 1, one line on stderr, no output file (and no temporary file) left.
bad() {
    local what=$1; shift
    "$tool" link "$T/bad.o" "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    [ $rc = 1 ] || fail "$what: exit $rc, expected 1"
    [ "$(wc -l <"$T/err")" = 1 ] || fail "$what: expected one line on stderr, got: $(cat "$T/err")"
    [ ! -e "$T/bad.o" ] || fail "$what: an output file was written"
    ls "$T" | grep -q '^bad.o.tmp' && fail "$what: a temporary file was left"
    echo "$what: $(cat "$T/err")"
}
bad "duplicate strong symbols" "$dir/link_b.bpf.o" "$dir/link_b.bpf.o"
grep -q "link_b.bpf.o and $dir/link_b.bpf.o" "$T/err" || fail "the duplicate symbol error must name both inputs"
head -c 300 "$dir/link_a.bpf.o" >"$T/truncated.o"
bad "truncated input" "$dir/link_a.bpf.o" "$T/truncated.o"
bad "not a BPF object" "$dir/link_a.bpf.o" "$tool"
bad "missing input" "$dir/link_a.bpf.o" "$T/does-not-exist.o"
bad "byte orders differ" "$dir/link_a.bpf.o" "$dir/link_b.bpfeb.o"
"$tool" link "$T/x.o" 2>/dev/null
[ $? = 2 ] || fail "link without inputs must be a usage error (2)"
echo "ok"
