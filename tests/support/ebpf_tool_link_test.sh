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
