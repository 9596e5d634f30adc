#!/bin/sh
# ebpf-tool gen skeleton: exit codes and one-line errors for bad input (no partial output file), and a skeleton
# for every bpf-progs object that compiles with -Wall -Wextra -Wpedantic -Werror, with and without exceptions.
# Usage: gen_skeleton_test.sh EBPF_TOOL BPF_PROGS_DIR CXX INCLUDE_DIR
set -u
tool=$1
dir=$2
cxx=$3
inc=$4
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
check() { # expected-exit description command...
    want=$1; shift; what=$1; shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL: $what: exit $got, expected $want"; cat "$tmp/err"; fails=$((fails + 1))
    elif [ "$want" = 1 ] && [ "$(wc -l <"$tmp/err")" != 1 ]; then
        echo "FAIL: $what: expected one line on stderr"; cat "$tmp/err"; fails=$((fails + 1))
    else
        echo "ok: $what"
    fi
}
check 2 "gen without subcommand" "$tool" gen
check 2 "gen unknown subcommand" "$tool" gen frob
check 2 "gen skeleton without object" "$tool" gen skeleton
check 2 "gen skeleton unknown option" "$tool" gen skeleton --bogus "$dir/globals.bpf.o"
check 2 "gen skeleton bad --name" "$tool" gen skeleton --name 1x "$dir/globals.bpf.o"
check 2 "gen skeleton --name taken by a member" "$tool" gen skeleton --name maps "$dir/globals.bpf.o"
check 0 "gen skeleton --help" "$tool" gen skeleton --help
check 1 "gen skeleton missing file" "$tool" gen skeleton /nonexistent.bpf.o -o "$tmp/missing.hpp"
[ ! -e "$tmp/missing.hpp" ] && echo "ok: no output for a missing file" || { echo "FAIL: output for a missing file"; fails=$((fails + 1)); }
check 1 "gen skeleton non-ELF" "$tool" gen skeleton /etc/passwd -o "$tmp/passwd.hpp"
check 1 "gen skeleton non-BPF ELF" "$tool" gen skeleton /bin/sh -o "$tmp/sh.hpp"
[ ! -e "$tmp/passwd.hpp" ] && [ ! -e "$tmp/sh.hpp" ] && echo "ok: no output for bad input" || { echo "FAIL: output for bad input"; fails=$((fails + 1)); }
check 1 "gen skeleton into a missing directory" "$tool" gen skeleton "$dir/globals.bpf.o" -o "$tmp/no/such/dir.hpp"
ls "$tmp" | grep -q '\.tmp\.' && { echo "FAIL: a temporary file was left behind"; fails=$((fails + 1)); } || echo "ok: no temporary file left"
check 0 "gen skeleton to stdout" "$tool" gen skeleton "$dir/globals.bpf.o"
grep -q '^class globals {' "$tmp/out" && echo "ok: stdout has class globals" || { echo "FAIL: no class globals"; fails=$((fails + 1)); }

# Every object: generated, and compiled with and without exceptions.
n=0
for f in "$dir"/*.bpf.o; do
    name=$(basename "$f" .bpf.o)
    # link_a is half of an object (an extern map and functions that link_b defines): skeletons are for linked
    # objects (ebpf-tool link, tests/support/ebpf_tool_link_test.sh).
    [ "$name" = link_a ] && continue
    hdr="$tmp/$name.skel.hpp"
    # An object that cannot load (externs nothing resolves) has no skeleton: a one-line failure.
    if [ "$name" = inspect_problems ]; then
        check 1 "gen skeleton of an object with unresolvable externs" "$tool" gen skeleton "$f" -o "$hdr"
        [ -e "$hdr" ] && { echo "FAIL: $hdr written"; fails=$((fails + 1)); }
        continue
    fi
    if ! "$tool" gen skeleton "$f" -o "$hdr" 2>"$tmp/err"; then
        echo "FAIL: gen skeleton $name: $(cat "$tmp/err")"; fails=$((fails + 1)); continue
    fi
    printf '#include "%s"\nint main() { return 0; }\n' "$hdr" >"$tmp/$name.cpp"
    # Without exceptions: a few objects are enough (the generated code is the same pattern); it halves the time.
    variants=plain
    case " globals maps skeleton_demo usdt_test " in *" $name "*) variants="plain noexc" ;; esac
    for v in $variants; do
        flags=
        [ "$v" = noexc ] && flags=-fno-exceptions
        if ! "$cxx" -std=c++20 -Wall -Wextra -Wpedantic -Werror $flags -fsyntax-only -I"$inc" "$tmp/$name.cpp" 2>"$tmp/err"; then
            echo "FAIL: $name.skel.hpp does not compile ($flags)"; head -5 "$tmp/err"; fails=$((fails + 1))
        fi
    done
    n=$((n + 1))
done
echo "ok: $n skeletons generated and compiled"
[ "$fails" = 0 ]
