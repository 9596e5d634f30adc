#!/bin/sh
# ebpf-tool run on objects written like libbpf tools (bpf-progs/execsnoop, unlinksnoop, syscall_counter,
# uprobe_run), with real triggers: execs of /bin/true, openat() by this shell, rm of missing files, calls of a
# test binary's function and USDT probe. --events, --stats and --dump-maps are checked against the number of
# triggers: exactly where a --set filter (this shell as parent or process) makes it exact, at least N for run
# counts (programs run for every process; the filter is inside them).
#   ebpf_tool_run_test.sh EBPF_TOOL BPF_PROGS_DIR [UPROBE_TARGET]
# Bad input needs no kernel and is checked first; the rest needs root (exit 77 without). Kprobe-based cases skip,
# with the kernel's reason, where the kernel has no kprobes (neither the kprobe PMU nor tracefs kprobe_events).
set -u
tool=$1
dir=$2
target=${3:-}
fails=0
skipped=""
tmp=$(mktemp -d /tmp/ebpf-tool-run.XXXXXX)
cleanup() {
    rm -rf "$tmp"
    ip link del "ebpfrun$$" 2>/dev/null
    [ -n "${cg:-}" ] && rmdir "$cg" 2>/dev/null
    return 0
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# check_err EXIT REGEX DESCRIPTION ARGS...: the exit status, and exactly one stderr line matching REGEX (usage
# errors, exit 2, print one line too; only its first line is matched)...
check_err() {
    want=$1; re=$2; what=$3; shift 3
    "$tool" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    lines=$(wc -l <"$tmp/err")
    first=$(head -n 1 "$tmp/err")
    if [ "$got" != "$want" ]; then
        fail "$what: exit $got, expected $want"; cat "$tmp/err"
    elif [ "$want" = 1 ] && [ "$lines" != 1 ]; then
        fail "$what: $lines stderr lines, expected one"; cat "$tmp/err"
    elif ! printf '%s\n' "$first" | grep -Eq -e "$re"; then
        fail "$what: stderr '$first' does not match /$re/"
    else
        ok "$what ($first)"
    fi
}

exe=$dir/execsnoop.bpf.o
check_err 2 '^ebpf-tool: run: missing OBJECT' "run without object" run
check_err 2 "^ebpf-tool: run: unknown option '--bogus'" "run unknown option" run --bogus "$exe"
check_err 2 '^ebpf-tool: run: --set target_ppid: expected GLOBAL=VALUE' "run --set without =" run --set target_ppid "$exe"
check_err 2 '^ebpf-tool: run: --duration -1: expected a positive number' "run bad duration" run --duration -1 "$exe"
check_err 2 '^ebpf-tool: run: --program needs a NAME' "run --program without name" run "$exe" --program
check_err 1 '^ebpf-tool: run: .*/nonexistent\.bpf\.o' "run missing object" run /nonexistent.bpf.o
check_err 1 "^ebpf-tool: run .*execsnoop\.bpf\.o: no program named 'nope' \(it has: handle_exec\)$" \
    "run unknown --program" run --program nope "$exe"
check_err 1 "^ebpf-tool: run .*: --set nope=1: no global variable 'nope' in .data, .rodata or .bss \(execsnoop has: .*target_ppid" \
    "run unknown --set variable" run --set nope=1 "$exe"
check_err 1 "^ebpf-tool: run .*: --set target_ppid=abc: 'abc' is not a number \('target_ppid' is .*, 4 bytes\)$" \
    "run --set not a number" run --set target_ppid=abc "$exe"
check_err 1 "^ebpf-tool: run .*: --set target_ppid=4294967296: 4294967296 is out of range for 'target_ppid' \(.*: 0\.\.4294967295\)$" \
    "run --set out of range" run --set target_ppid=4294967296 "$exe"
check_err 1 "out of range for 'target_ppid'" "run --set negative unsigned" run --set target_ppid=-1 "$exe"
check_err 1 "^ebpf-tool: run .*: --set filter_uid=maybe: 'filter_uid' is .*[Bb]ool.*: expected true, false, 1 or 0$" \
    "run --set bad bool" run --set filter_uid=maybe "$exe"
check_err 1 "^ebpf-tool: run .*: --set output=LOUD: 'LOUD' is neither an enumerator of .*enum output_mode.* \(OUTPUT_NONE, OUTPUT_EVENTS\) nor a number$" \
    "run --set unknown enumerator" run --set output=LOUD "$exe"
check_err 1 "^ebpf-tool: run .*: --set target_comm=0123456789abcdef: the string is 16 characters; 'target_comm' .* holds 15 and a terminating NUL$" \
    "run --set string too long" run --set target_comm=0123456789abcdef "$exe"
check_err 1 "^ebpf-tool: run .*: --set total_execs=x: 'x' is not a number" "run --set .bss variable, bad value" \
    run --set total_execs=x "$exe"
rv=$dir/run_values.bpf.o
check_err 1 "--set v_s8=128: 128 is out of range for 'v_s8' \(.*: -128\.\.127\)$" "run --set s8 too big" run --set v_s8=128 "$rv"
check_err 1 "--set v_s8=-129: -129 is out of range for 'v_s8' \(.*: -128\.\.127\)$" "run --set s8 too small" run --set v_s8=-129 "$rv"
check_err 1 "--set v_u16=0x10000: 0x10000 is out of range for 'v_u16' \(.*: 0\.\.65535\)$" "run --set u16 hex too big" \
    run --set v_u16=0x10000 "$rv"
check_err 1 "--set v_s64=9223372036854775808: .* is out of range" "run --set s64 too big" run --set v_s64=9223372036854775808 "$rv"
check_err 1 "--set v_char=xy: 'xy' is not a number" "run --set char: one character or a number" run --set v_char=xy "$rv"
check_err 1 "--set v_array=1: 'v_array' is .*; --set writes integers, bool, enums, floats and char arrays \(strings\)$" \
    "run --set an int array (type mismatch)" run --set v_array=1 "$rv"
check_err 1 "--set v_pair=1: 'v_pair' is .*struct run_pair.*; --set writes" "run --set a struct (type mismatch)" \
    run --set v_pair=1 "$rv"
check_err 1 "--set v_level=LEVEL_X: 'LEVEL_X' is neither an enumerator of .*\(LEVEL_LOW, LEVEL_MID, LEVEL_HIGH\)" \
    "run --set unknown enumerator (negative enum)" run --set v_level=LEVEL_X "$rv"
"$tool" run --help >"$tmp/out" 2>&1 && grep -q '^usage: ebpf-tool run' "$tmp/out" && ok "run --help" || fail "run --help"

if [ "$(id -u)" != 0 ]; then
    [ "$fails" = 0 ] || exit 1
    echo "SKIP: the kernel cases need root"
    exit 77
fi

# start NAME ARGS...: ebpf-tool run in the background (stdout $tmp/NAME.out, stderr $tmp/NAME.err); waits until it
# printed `running`. Sets $run_pid. Returns 1 (with the output shown) if it exited first.
start() {
    name=$1; shift
    "$tool" run "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    run_pid=$!
    i=0
    while ! grep -qs '^running$' "$tmp/$name.out"; do
        if ! kill -0 "$run_pid" 2>/dev/null || [ $i -ge 400 ]; then
            wait "$run_pid"
            run_rc=$?
            return 1
        fi
        i=$((i + 1))
        sleep 0.05
    done
    return 0
}

# finish: SIGTERM (unless it ends on its own: finish wait), then its exit status in $run_rc.
finish() {
    [ "${1:-}" = wait ] || kill -TERM "$run_pid"
    wait "$run_pid"
    run_rc=$?
}

# expect NAME REGEX DESCRIPTION: a line of $tmp/NAME.out matches.
expect() {
    if grep -Eq "$2" "$tmp/$1.out"; then ok "$3"; else fail "$3: no line matches /$2/"; cat "$tmp/$1.out" "$tmp/$1.err"; fi
}
# expect_runs NAME PROGRAM MIN: `runs PROGRAM N` with N >= MIN.
expect_runs() {
    n=$(sed -n "s/^runs $2 \([0-9]*\)\$/\1/p" "$tmp/$1.out")
    if [ -n "$n" ] && [ "$n" -ge "$3" ]; then ok "$1: runs $2 $n >= $3"; else fail "$1: runs $2 '${n}', expected >= $3"; cat "$tmp/$1.out"; fi
}
expect_rc() {
    if [ "$run_rc" = "$2" ]; then ok "$1: exit $2"; else fail "$1: exit $run_rc, expected $2"; cat "$tmp/$1.err"; fi
}

# Whether the kernel can attach kprobes at all; else the reason.
kprobe_reason() {
    [ -d /sys/bus/event_source/devices/kprobe ] && return 1
    for t in /sys/kernel/tracing /sys/kernel/debug/tracing; do [ -e "$t/kprobe_events" ] && return 1; done
    return 0
}

# --- execsnoop: tracepoint + ring buffer. Execs of /bin/true by this shell: exact with target_ppid=$$ and
# target_comm=true (the polling greps and sleeps of start() are this shell's children too).
N=5
if start exec "$exe" --set target_ppid=$$ --set target_comm=true --set filter_uid=false --duration 60 \
        --events --stats --dump-maps; then
    i=0; while [ $i -lt $N ]; do /bin/true; i=$((i + 1)); done
    finish
    expect_rc exec 0
    expect exec '^attached handle_exec tp/sched/sched_process_exec$' "execsnoop attached"
    expect exec "^events events $N\$" "execsnoop: events events $N (ring buffer)"
    expect_runs exec handle_exec $N
    expect exec "^  total_execs = $N\$" "execsnoop: dump .bss total_execs = $N"
    expect exec "^  target_comm = \"true\"\$" "execsnoop: dump .rodata target_comm as a string"
    expect exec "^  output = OUTPUT_EVENTS\$" "execsnoop: dump .rodata enum by name"
    expect exec "^  $$: \{count: $N, last_comm: \"true\"\}\$" "execsnoop: dump hash exec_stats by field name"
else
    fail "execsnoop run did not start (exit $run_rc)"; cat "$tmp/exec.out" "$tmp/exec.err"
fi

# The same object counting only (enum by name), ended by --duration.
if start exec2 "$exe" --set target_ppid=$$ --set target_comm=true --set output=OUTPUT_NONE --duration 4 \
        --events --dump-maps; then
    /bin/true; /bin/true; /bin/true
    finish wait
    expect_rc exec2 0
    expect exec2 '^events events 0$' "execsnoop --set output=OUTPUT_NONE: no ring buffer records"
    expect exec2 '^  total_execs = 3$' "execsnoop --set output=OUTPUT_NONE: still counted (--duration ended it)"
else
    fail "execsnoop (count only) run did not start (exit $run_rc)"; cat "$tmp/exec2.out" "$tmp/exec2.err"
fi

# SIGINT ends a run as SIGTERM does (background jobs of a script start with SIGINT ignored: run installs its own).
if start sigint "$exe" --set target_comm=no-such-comm --duration 60 --events; then
    kill -INT "$run_pid"
    wait "$run_pid"
    run_rc=$?
    expect_rc sigint 0
    expect sigint '^events events 0$' "SIGINT: stopped and reported"
else
    fail "SIGINT run did not start (exit $run_rc)"; cat "$tmp/sigint.out" "$tmp/sigint.err"
fi

# --- --set of every integer size and sign, bool, char, enum (negative), string; --dump-maps of them and of .data
# structs with bitfields and arrays of structs. No trigger: --duration ends it.
if start values "$rv" --set v_s8=-128 --set v_u8=255 --set v_s16=-32768 --set v_u16=0xffff --set v_s32=-5 \
        --set v_s64=-9223372036854775808 --set v_u64=18446744073709551615 --set v_bool=true --set v_char=x \
        --set v_level=LEVEL_LOW --set v_name=abc --duration 0.5 --dump-maps; then
    finish wait
    expect_rc values 0
    for line in 'v_s8 = -128' 'v_u8 = 255' 'v_s16 = -32768' 'v_u16 = 65535' 'v_s32 = -5' \
            'v_s64 = -9223372036854775808' 'v_u64 = 18446744073709551615' 'v_bool = true' 'v_char = 120' \
            'v_level = LEVEL_LOW' 'v_name = "abc"' 'v_array = [0, 0]' 'v_pair = {x: 0, y: 0, tag: ""}' \
            'data_bits = {a: 5, b: -3, flag: 1, tail: 65535}' \
            'data_pairs = [{x: 1, y: -2, tag: "ab"}, {x: 3, y: 4, tag: "cd"}]'; do
        if grep -Fxq "  $line" "$tmp/values.out"; then ok "values: $line"; else fail "values: no line '  $line'"; fi
    done
else
    fail "run_values run did not start (exit $run_rc)"; cat "$tmp/values.out" "$tmp/values.err"
fi

# --- syscall_counter: openat() by one process, exact with target_tgid: a child shell that opens /dev/null N times
# (redirections of a builtin) once a line arrives on a FIFO. It is started, and blocked opening the FIFO, before
# the run attaches, so its startup's own openat()s (the dynamic loader's) are not counted.
sc=$dir/syscall_counter.bpf.o
N=7
# start_opener: sets $opener_pid; the child is blocked on the FIFO when this returns.
start_opener() {
    rm -f "$tmp/open-go" "$tmp/open-ready"
    mkfifo "$tmp/open-go"
    sh -c ': >"$1"; read x <"$2"; i=0; while [ $i -lt "$3" ]; do : </dev/null; i=$((i + 1)); done' \
        opener "$tmp/open-ready" "$tmp/open-go" $N &
    opener_pid=$!
    while [ ! -e "$tmp/open-ready" ]; do sleep 0.02; done
    sleep 0.1
}
trigger_opener() { echo go >"$tmp/open-go"; wait "$opener_pid"; }
start_opener
if start sc_tp "$sc" --program openat_tracepoint --set target_tgid=$opener_pid --stats --dump-maps --duration 60; then
    trigger_opener
    finish
    expect_rc sc_tp 0
    expect sc_tp "^  openat_calls = $N\$" "syscall_counter tracepoint: openat_calls = $N"
    expect_runs sc_tp openat_tracepoint $N
    if grep -q openat_kprobe "$tmp/sc_tp.out" "$tmp/sc_tp.err"; then fail "openat_kprobe was not named but ran"; fi
else
    fail "syscall_counter tracepoint run did not start (exit $run_rc)"; cat "$tmp/sc_tp.out" "$tmp/sc_tp.err"
    trigger_opener
fi

# ksyscall: the same count through a kprobe on the architecture's openat entry (skips where kprobes are absent).
start_opener
if start sc_ks "$sc" --program openat_kprobe --set target_tgid=$opener_pid --stats --dump-maps --duration 60; then
    trigger_opener
    finish
    expect_rc sc_ks 0
    expect sc_ks '^attached openat_kprobe ksyscall/openat$' "ksyscall attached"
    expect sc_ks "^  openat_calls = $N\$" "ksyscall: openat_calls = $N"
    expect_runs sc_ks openat_kprobe $N
elif [ "$run_rc" = 1 ] && kprobe_reason && grep -q "^ebpf-tool: program 'openat_kprobe' (ksyscall/openat) failed to attach: " "$tmp/sc_ks.err"; then
    trigger_opener
    reason=$(grep "^ebpf-tool: program 'openat_kprobe'" "$tmp/sc_ks.err")
    echo "SKIP: ksyscall: the kernel has no kprobes: $reason"
    skipped="$skipped ksyscall"
else
    trigger_opener
    fail "ksyscall run (exit $run_rc)"; cat "$tmp/sc_ks.out" "$tmp/sc_ks.err"
fi

# --- unlinksnoop: a kprobe/kretprobe pair and a perf event array; rm of files by this shell's children (files
# that exist: some rm -f implementations, busybox's, do not unlink what lstat() does not find).
us=$dir/unlinksnoop.bpf.o
N=6
make_files() { i=0; while [ $i -lt $N ]; do : >"$tmp/file-$i"; i=$((i + 1)); done; }
make_files
if start unlink "$us" --set target_ppid=$$ --events --stats --dump-maps --duration 60; then
    i=0; while [ $i -lt $N ]; do rm -f "$tmp/file-$i"; i=$((i + 1)); done
    finish
    expect_rc unlink 0
    expect unlink "^events events $N\$" "unlinksnoop: events events $N (perf event array)"
    expect_runs unlink unlink_enter $N
    expect_runs unlink unlink_exit $N
    expect unlink "^  entries = $N\$" "unlinksnoop: entries = $N"
    expect unlink "^  returns = $N\$" "unlinksnoop: returns = $N"
elif [ "$run_rc" = 1 ] && kprobe_reason && grep -q "^ebpf-tool: program 'unlink_enter' (kprobe/do_unlinkat) failed to attach: " "$tmp/unlink.err"; then
    reason=$(grep "^ebpf-tool: program 'unlink_enter'" "$tmp/unlink.err")
    echo "SKIP: kprobe pair: the kernel has no kprobes: $reason"
    grep -q "^ebpf-tool: program 'unlink_exit' (kretprobe/do_unlinkat) failed to attach: " "$tmp/unlink.err" ||
        fail "unlinksnoop: the kretprobe's failure is not named"
    skipped="$skipped kprobe"
else
    fail "unlinksnoop run (exit $run_rc)"; cat "$tmp/unlink.out" "$tmp/unlink.err"
fi
# Its tracepoint variant (autoload off, named): the perf event array on every kernel. rm calls unlinkat(2)
# (coreutils) or unlink(2) (busybox on musl), which arm64 does not have.
make_files
tp_progs="--program unlinkat_tp"
for t in /sys/kernel/tracing /sys/kernel/debug/tracing; do
    [ -d "$t/events/syscalls/sys_enter_unlink" ] && { tp_progs="$tp_progs --program unlink_tp"; break; }
done
if start unlink_tp "$us" $tp_progs --set target_ppid=$$ --events --stats --dump-maps --duration 60; then
    i=0; while [ $i -lt $N ]; do rm -f "$tmp/file-$i"; i=$((i + 1)); done
    finish
    expect_rc unlink_tp 0
    expect unlink_tp "^events events $N\$" "unlinksnoop tracepoint: events events $N (perf event array)"
    expect unlink_tp "^  entries = $N\$" "unlinksnoop tracepoint: entries = $N"
    runs=0
    for p in unlinkat_tp unlink_tp; do
        n=$(sed -n "s/^runs $p \([0-9]*\)\$/\1/p" "$tmp/unlink_tp.out")
        runs=$((runs + ${n:-0}))
    done
    [ "$runs" -ge $N ] && ok "unlink_tp: runs of both tracepoints $runs >= $N" || fail "unlink_tp: runs $runs < $N"
else
    fail "unlinksnoop tracepoint run did not start (exit $run_rc)"; cat "$tmp/unlink_tp.out" "$tmp/unlink_tp.err"
fi

# --- uprobe + USDT on the test binary (found through PATH, as the sections name it), filtered by its pid.
if [ -n "$target" ] && [ -e "$dir/uprobe_run.bpf.o" ]; then
    N=5
    mkfifo "$tmp/go"
    # The child blocks opening the fifo until the run is ready; its pid is the target's (the shell execs it).
    "$target" $N <"$tmp/go" >"$tmp/target.out" &
    tpid=$!
    saved_path=$PATH
    PATH="$(dirname "$target"):$PATH"
    start uprobe "$dir/uprobe_run.bpf.o" --set target_pid=$tpid --events --stats --dump-maps --duration 60
    started=$?
    PATH=$saved_path
    if [ $started = 0 ]; then
        echo go >"$tmp/go"
        wait "$tpid"
        finish
        expect_rc uprobe 0
        expect uprobe '^attached main_fn_entry uprobe/uprobe_target:ebpf_target_main_fn$' "uprobe attached"
        expect uprobe '^attached main_probe usdt/uprobe_target:ebpf_target:main$' "USDT attached"
        expect uprobe "^events events $((2 * N))\$" "uprobe+USDT: events events $((2 * N))"
        expect_runs uprobe main_fn_entry $N
        expect_runs uprobe main_probe $N
        expect uprobe "^  0: $N\$" "uprobe hits = $N (array dump)"
        expect uprobe "^  1: $N\$" "USDT hits = $N (array dump)"
    else
        fail "uprobe run did not start (exit $run_rc)"; cat "$tmp/uprobe.out" "$tmp/uprobe.err"
        echo go >"$tmp/go"; wait "$tpid"
    fi
else
    echo "SKIP: uprobe/USDT: no uprobe_target or uprobe_run.bpf.o in this build"
    skipped="$skipped uprobe"
fi

# --- networking sections get their targets from --cgroup and --interface (AutoAttachOptions).
cg_root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -n "$cg_root" ] && mkdir "$cg_root/ebpf-tool-run-$$" 2>/dev/null; then
    cg=$cg_root/ebpf-tool-run-$$
    "$tool" run "$dir/cgroup_skb_counter.bpf.o" --cgroup "$cg" --duration 0.2 --dump-maps >"$tmp/cg.out" 2>"$tmp/cg.err"
    run_rc=$?
    expect_rc cg 0
    expect cg '^attached ingress_filter cgroup_skb/ingress$' "--cgroup: cgroup_skb/ingress attached"
    expect cg '^attached egress_filter cgroup_skb/egress$' "--cgroup: cgroup_skb/egress attached"
    # Without --cgroup they are not auto-attachable: a note each, not a failure.
    "$tool" run "$dir/cgroup_skb_counter.bpf.o" --duration 0.2 >"$tmp/cg2.out" 2>"$tmp/cg2.err"
    run_rc=$?
    expect_rc cg2 0
    n=$(grep -c "^ebpf-tool: note: program '.*_filter' (cgroup_skb/.*) is not attached automatically: it needs a cgroup" "$tmp/cg2.err")
    [ "$n" = 2 ] && ok "without --cgroup: two notes" || { fail "without --cgroup: $n notes"; cat "$tmp/cg2.err"; }
    # Named, the same programs fail the run.
    "$tool" run "$dir/cgroup_skb_counter.bpf.o" --program ingress_filter --duration 0.2 >"$tmp/cg3.out" 2>"$tmp/cg3.err"
    run_rc=$?
    expect_rc cg3 1
    grep -q "^ebpf-tool: program 'ingress_filter' (cgroup_skb/ingress) not attached: it needs a cgroup" "$tmp/cg3.err" &&
        ok "named without --cgroup: not attached, named on stderr" || { fail "named without --cgroup"; cat "$tmp/cg3.err"; }
    rmdir "$cg" && cg=
else
    echo "SKIP: --cgroup: no cgroup v2 hierarchy to make a cgroup in"
fi
dev=ebpfrun$$
if ip link add "$dev" type veth peer name "${dev}p" 2>/dev/null || ip link add "$dev" type dummy 2>/dev/null; then
    ip link set "$dev" up
    "$tool" run "$dir/xdp_net.bpf.o" --program xdp_count --interface "$dev" --duration 0.2 >"$tmp/xdp.out" 2>"$tmp/xdp.err"
    run_rc=$?
    expect_rc xdp 0
    expect xdp '^attached xdp_count xdp$' "--interface: XDP attached to a new veth (or dummy) device"
    "$tool" run "$dir/xdp_net.bpf.o" --program xdp_count --interface nonexistent0 --duration 0.2 >"$tmp/xdp2.out" 2>"$tmp/xdp2.err"
    run_rc=$?
    expect_rc xdp2 1
    grep -q "^ebpf-tool: program 'xdp_count' (xdp) failed to attach: .*nonexistent0" "$tmp/xdp2.err" &&
        ok "--interface of a missing device: named on stderr" || { fail "--interface nonexistent0"; cat "$tmp/xdp2.err"; }
    ip link del "$dev" 2>/dev/null
else
    echo "SKIP: --interface: cannot make a veth or dummy device"
fi

# A named program that cannot attach fails the run even when others attach: exit 1, named on stderr.
if kprobe_reason; then
    "$tool" run "$us" --program unlink_enter --program unlinkat_tp --duration 0.2 >"$tmp/mixed.out" 2>"$tmp/mixed.err"
    run_rc=$?
    expect_rc mixed 1
    grep -q "^ebpf-tool: program 'unlink_enter' (kprobe/do_unlinkat) failed to attach: " "$tmp/mixed.err" &&
        ok "mixed: the kprobe named on stderr" || fail "mixed: the kprobe is not named on stderr"
    expect mixed '^attached unlinkat_tp tp/syscalls/sys_enter_unlinkat$' "mixed: the tracepoint still attached and ran"
fi

[ -n "$skipped" ] && echo "skipped:$skipped"
[ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all passed"
