#!/bin/sh
# ebpf-tool btf dump --format raw|json against bpftool (Debian's, v7.1 here): line for line for every object in
# bpf-progs (both byte orders) and for the running kernel's vmlinux BTF; split BTF with --base (a base and a split
# file written by make_split_btf.py, one or more types of every kind) in raw, JSON and C; a real module with
# --module when the kernel has modules with BTF. Also the options' exit codes.
# Usage: btf_dump_raw_test.sh EBPF_TOOL BPF_PROGS_DIR. Exit 77 (skip) without bpftool or python3.
set -u
tool=$1
progs=$2
here=$(cd "$(dirname "$0")" && pwd)
bpftool=${BPFTOOL:-bpftool}
clang=${CLANG:-clang}
command -v "$bpftool" >/dev/null 2>&1 || { echo "skip: $bpftool not found"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "skip: python3 not found"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# same_raw WHAT OURS-ARGS... -- BPFTOOL-ARGS...: the two raw dumps must be identical.
same() {
    what=$1; shift
    ours=""; while [ "$1" != "--" ]; do ours="$ours $1"; shift; done; shift
    # shellcheck disable=SC2086
    "$tool" btf dump $ours >"$tmp/ours" 2>"$tmp/ours.err" || { fail "$what: ebpf-tool: $(cat "$tmp/ours.err")"; return; }
    "$bpftool" "$@" >"$tmp/theirs" 2>"$tmp/theirs.err" || { echo "note: $what: bpftool fails: $(head -1 "$tmp/theirs.err")"; return; }
    if cmp -s "$tmp/ours" "$tmp/theirs"; then
        echo "ok: $what ($(wc -l <"$tmp/ours") lines)"
    else
        fail "$what differs from bpftool"; diff "$tmp/theirs" "$tmp/ours" | head -10
    fi
}
# JSON: ours is an array; bpftool -j prints {"types": [...]} with the same objects. One normalisation: bpftool
# passes a 32-bit ENUM value (a signed 32-bit field in the kernel's struct btf_enum) to its unsigned 64-bit JSON
# writer, so an UNSIGNED enumerator of 2^31 or more comes out sign-extended (4026531839 as 18446744073441116159);
# its raw text prints it right (%u), and so does our JSON. Those values are compared modulo 2^32.
same_json() {
    what=$1; ours=$2; theirs=$3
    if python3 - "$ours" "$theirs" <<'EOP'
import json, sys
ours, theirs = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))["types"]
for t in theirs:
    if t["kind"] == "ENUM" and t["encoding"] == "UNSIGNED":
        for v in t["values"]:
            v["val"] &= 0xFFFFFFFF
bad = [(a, b) for a, b in zip(ours, theirs) if a != b]
for a, b in bad[:3]:
    print("ours:   ", a)
    print("bpftool:", b)
sys.exit(0 if len(ours) == len(theirs) and not bad else 1)
EOP
    then
        echo "ok: $what"
    else
        fail "$what: JSON differs from bpftool -j"
    fi
}

# Every object in bpf-progs, and the big-endian builds (bpftool reads both byte orders).
n=0
for f in "$progs"/*.bpf.o "$progs"/*.bpfeb.o; do
    [ -f "$f" ] || continue
    "$tool" btf dump --format raw "$f" >"$tmp/o" 2>"$tmp/e" || { fail "$(basename "$f"): $(cat "$tmp/e")"; continue; }
    "$bpftool" btf dump file "$f" format raw >"$tmp/b" 2>/dev/null || continue  # objects without .BTF
    n=$((n + 1))
    cmp -s "$tmp/o" "$tmp/b" || { fail "$(basename "$f"): raw differs from bpftool"; diff "$tmp/b" "$tmp/o" | head -5; }
done
[ "$n" -gt 0 ] && echo "ok: raw dumps of $n objects compared with bpftool" || fail "no object compared"
f="$progs/globals.bpf.o"
if [ -f "$f" ]; then
    "$tool" btf dump --format json "$f" >"$tmp/oj" && "$bpftool" -j btf dump file "$f" >"$tmp/bj" &&
        same_json "globals.bpf.o --format json" "$tmp/oj" "$tmp/bj"
fi

# The running kernel: FILE and --kernel.
vmlinux=/sys/kernel/btf/vmlinux
if [ -r "$vmlinux" ]; then
    same "vmlinux raw" --format raw "$vmlinux" -- btf dump file "$vmlinux" format raw
    same "--kernel raw" --kernel --format raw -- btf dump file "$vmlinux" format raw
    "$tool" btf dump --kernel --format json >"$tmp/kj" && "$bpftool" -j btf dump file "$vmlinux" >"$tmp/kbj" &&
        same_json "--kernel --format json" "$tmp/kj" "$tmp/kbj"
    "$tool" btf dump --kernel >"$tmp/k.h" && "$tool" btf dump "$vmlinux" >"$tmp/f.h" && cmp -s "$tmp/k.h" "$tmp/f.h" &&
        echo "ok: --kernel C header is the vmlinux file's" || fail "--kernel C header differs from the file's"
else
    echo "skip: no $vmlinux (kernel comparisons)"
fi

# Split BTF with --base: ids continue after the base's (3 types: the first split line is [4]), names resolve through
# the base's strings, every kind in bpftool's layout.
python3 "$here/make_split_btf.py" "$tmp" || fail "make_split_btf.py"
same "split --base raw" --base "$tmp/base.btf" --format raw "$tmp/split.btf" -- \
    -B "$tmp/base.btf" btf dump file "$tmp/split.btf" format raw
head -1 "$tmp/ours" | grep -q "^\[4\] PTR '(anon)' type_id=3$" && echo "ok: split ids start after the base's" ||
    fail "split: first type is not [4]: $(head -1 "$tmp/ours")"
grep -q "^	'x' type_id=1 bits_offset=0$" "$tmp/ours" && echo "ok: split member name from the base's strings" ||
    fail "split: the member named through the base's strings"
for kind in INT PTR STRUCT UNION ENUM ENUM64 FWD TYPEDEF VOLATILE CONST RESTRICT ARRAY FUNC_PROTO FUNC VAR DATASEC \
    FLOAT DECL_TAG TYPE_TAG; do
    [ "$kind" = INT ] && continue  # INT is the base's
    grep -q "^\[[0-9]*\] $kind " "$tmp/ours" || fail "split: no $kind line"
done
"$tool" btf dump --base "$tmp/base.btf" --format json "$tmp/split.btf" >"$tmp/sj" &&
    "$bpftool" -B "$tmp/base.btf" -j btf dump file "$tmp/split.btf" >"$tmp/sbj" 2>/dev/null &&
    same_json "split --base --format json" "$tmp/sj" "$tmp/sbj"
if "$tool" btf dump --base "$tmp/base.btf" "$tmp/split.btf" >"$tmp/split.h"; then
    grep -q 'struct base_s {' "$tmp/split.h" && grep -q 'int __btf_type_tag("user") \*u;' "$tmp/split.h" &&
        echo "ok: split C header declares the base's types and the type tags" || fail "split C header content"
    if command -v "$clang" >/dev/null 2>&1; then
        printf '#include "split.h"\nstruct mod_holder h;\n_Static_assert(sizeof(struct mod_s) == 32, "mod_s");\n' >"$tmp/s.c"
        "$clang" -target bpf -O2 -g -Wall -Werror -c "$tmp/s.c" -o "$tmp/s.o" 2>"$tmp/s.log" &&
            echo "ok: split C header compiles (clang -target bpf)" || { fail "split C header does not compile"; head "$tmp/s.log"; }
    fi
    # The type tag macros: nothing for C++ (clang would warn that it ignores btf_type_tag) and for GCC.
    for cc in "$clang -x c" "${CLANGXX:-clang++} -x c++" "${CXX:-g++} -x c++" "${CC:-gcc} -x c"; do
        set -- $cc
        command -v "$1" >/dev/null 2>&1 || continue
        if printf '#include "split.h"\nstruct mod_holder h;\n' |
            $cc -DBPF_NO_PRESERVE_ACCESS_INDEX -Wall -Wextra -Werror -fsyntax-only -I"$tmp" - 2>"$tmp/cc.log"; then
            echo "ok: split C header with type tags compiles with $cc -Werror"
        else
            fail "split C header does not compile with $cc"; head -5 "$tmp/cc.log"
        fi
    done
else
    fail "btf dump --base (C)"
fi

# A real module (split on vmlinux), when there is one: this host's kernel may have no modules at all.
module=$(ls /sys/kernel/btf 2>/dev/null | grep -vx vmlinux | head -1)
if [ -n "$module" ]; then
    same "--module $module raw" --module "$module" --format raw -- \
        -B "$vmlinux" btf dump file "/sys/kernel/btf/$module" format raw
    "$tool" btf dump --module "$module" >/dev/null || fail "--module $module (C)"
else
    echo "skip: /sys/kernel/btf has no module BTF (no modules in this kernel); --module is compared when it has"
fi

# Exit codes: usage 2, failures 1 with one line on stderr.
expect() { # want description args...
    want=$1; what=$2; shift 2
    "$tool" btf dump "$@" >/dev/null 2>"$tmp/err"; rc=$?
    if [ "$rc" != "$want" ]; then fail "$what: exit $rc, expected $want"
    elif [ "$(wc -l <"$tmp/err")" != 1 ]; then fail "$what: $(wc -l <"$tmp/err") lines on stderr, expected 1"
    else echo "ok: $what: exit $want, one line"; fi
}
expect 2 "--format bogus" --format bogus --kernel
expect 2 "--format without a value" --kernel --format
expect 2 "FILE and --kernel" --kernel "$tmp/split.btf"
expect 2 "--base without FILE" --base "$tmp/base.btf" --kernel
expect 2 "--module with a path" --module ../vmlinux
expect 1 "--module that has no BTF" --module no_such_module_here
expect 1 "--base missing" --base /nonexistent "$tmp/split.btf"
expect 1 "--base not BTF" --base /etc/passwd "$tmp/split.btf"

[ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all ok"
