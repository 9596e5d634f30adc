#!/bin/sh
# ebpf-tool's command-line contract, for every command and subcommand: `--help` and `-h` print the usage on stdout
# (nothing on stderr) and exit 0; an unknown option and a missing argument print one line on stderr and exit 2; a
# failure (a missing file, or an id no object has for commands that take no file) prints one line `ebpf-tool: ...`
# on stderr and exits 1. Runs with or without root: without it the kernel listings fail with Permission (exit 1,
# one line), which is what is checked then.
# Usage: ebpf_tool_cli_test.sh EBPF_TOOL
set -u
tool=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
checks=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# run WANT-EXIT WANT-STDERR-LINES(any|N) DESCRIPTION ARGS...
run() {
    want=$1; lines=$2; what=$3; shift 3
    checks=$((checks + 1))
    "$tool" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    n=$(wc -l <"$tmp/err")
    if [ "$rc" != "$want" ]; then
        fail "$what: exit $rc, expected $want"; head -3 "$tmp/err"
    elif [ "$lines" != any ] && [ "$n" != "$lines" ]; then
        fail "$what: $n lines on stderr, expected $lines"; head -5 "$tmp/err"
    elif [ "$want" = 1 ] && ! head -1 "$tmp/err" | grep -q '^ebpf-tool: '; then
        fail "$what: stderr does not start with 'ebpf-tool: '"; head -1 "$tmp/err"
    else
        echo "ok: $what"
    fi
}
help_ok() { # DESCRIPTION ARGS...: --help and -h after ARGS
    what=$1; shift
    for h in --help -h; do
        run 0 0 "$what $h" "$@" "$h"
        [ -s "$tmp/out" ] || fail "$what $h: nothing on stdout"
    done
}

# Top level.
help_ok "ebpf-tool"
run 0 0 "ebpf-tool help" help
run 2 1 "no command" 
run 2 1 "unknown command" frobnicate
run 2 1 "unknown top-level option" --frobnicate

# Every command and subcommand: "NAME|ARGS BEFORE --help|A FAILURE (exit 1)|A MISSING ARGUMENT (exit 2, or -)".
# The failure of commands that take no file is an id no object has (or, without root, the Permission error).
missing=/nonexistent/ebpf-tool-cli-test.o
while IFS='|' read -r name args failure missing_arg; do
    [ -n "$name" ] || continue
    # shellcheck disable=SC2086
    help_ok "$name" $args
    # shellcheck disable=SC2086
    run 2 1 "$name: unknown option" $args --bogus-option
    # shellcheck disable=SC2086
    [ "$failure" = - ] || run 1 1 "$name: failure ($failure)" $failure
    # shellcheck disable=SC2086
    [ "$missing_arg" = - ] || run 2 1 "$name: missing argument ($missing_arg)" $missing_arg
done <<EOF_COMMANDS
inspect|inspect|inspect $missing|inspect
load|load|load $missing|load
load --target-btf|load|load --target-btf $missing $missing|load --target-btf
load --each|load --each --json|-|load --each --json
run|run|run $missing|run
bench btf|bench btf|-|bench
bench ringbuf|bench ringbuf|bench ringbuf --object $missing --runs 1 --count 1|bench ringbuf --size
bench perfbuf|bench perfbuf|bench perfbuf --object $missing --runs 1 --count 1|bench perfbuf --runs
btf|btf|-|btf
btf dump|btf dump|btf dump $missing|btf dump
btf dump --base|btf dump|btf dump --base $missing $missing|btf dump --base
btf dump --module|btf dump|btf dump --module no_such_module_x|btf dump --module
btf list|btf list|-|-
btf show|btf show|btf show 4000000000|btf show x
prog|prog|-|prog
prog list|prog list|-|-
prog show|prog show|prog show 4000000000|prog show x
map|map|-|map
map list|map list|-|-
map show|map show|map show 4000000000|map show x
map dump|map dump|map dump --pin $missing|map dump
link|link|-|link
link list|link list|-|-
link show|link show|link show 4000000000|link show x
gen|gen|-|gen
gen skeleton|gen skeleton|gen skeleton $missing|gen skeleton
features|features|-|-
dump-insns|dump-insns|dump-insns $missing|dump-insns
EOF_COMMANDS

# load --each reports each program's outcome as data: an object that cannot be opened is a JSON line with "ok":false
# (the reason also on stderr, one line), and the exit status stays 0 (tests/compat/parity.py compares the lines).
run 0 1 "load --each: an unreadable object is a JSON line" load --each --json "$missing"
grep -q '"ok":false' "$tmp/out" || fail "load --each: no \"ok\":false line for $missing"

# Every command named in the top-level usage has been covered above.
"$tool" --help | sed -n 's/^  \([a-z-]*\) .*/\1/p' | sort -u >"$tmp/listed"
for c in $(cat "$tmp/listed"); do
    case " inspect load run bench btf prog map link gen features dump-insns " in
        *" $c "*) ;;
        *) fail "command '$c' is in the usage but not in this test" ;;
    esac
done
[ "$fails" = 0 ] || { echo "$fails of $checks checks failed"; exit 1; }
echo "all $checks checks ok"
