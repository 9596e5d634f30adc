#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets (clang, ASan+UBSan, coverage in the library) if needed and fuzzes each target for
# a fixed time; prints executions, coverage and corpus size per target; exits non-zero on any crash, leak or hang.
#
# Usage: tools/fuzz/run.sh [--seconds N] [--jobs J] [--dir D] [--build D] [--nice N] [--merge] [TARGET...]
#                          [-- LIBFUZZER_ARGS...]
#   TARGET      elf btf btf_ext object inflate btf_dump core verifier_log log usdt ringbuf linker (default: all); "fuzz_elf" works too
#   --seconds   fuzzing time per target (default 40: the eleven targets take ~8 minutes)
#   --jobs      targets fuzzed at the same time (default 1); each is one libFuzzer process
#   --dir       state directory: build/, corpus/<target>/, artifacts/<target>/, logs/ (default
#               $EBPF_FUZZ_DIR or ~/.cache/ebpf-cxx/fuzz). Corpora persist there, so long runs build on each other.
#   --build     build directory (default <dir>/build)
#   --nice      run the fuzzers under nice -n N (default 0)
#   --merge     afterwards, minimise each corpus with -merge=1 (keeps the inputs that add coverage)
#   after --     extra libFuzzer flags, e.g. -- -fork=2 -ignore_crashes=1, or -- -only_ascii=1
# Environment: CXX (default clang++) for a fresh build dir; ASAN_OPTIONS / UBSAN_OPTIONS are extended, not replaced.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
all_targets=(elf btf btf_ext object inflate btf_dump core verifier_log log usdt ringbuf linker)
seconds=40
jobs=1
state=${EBPF_FUZZ_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ebpf-cxx/fuzz}
build=
niceness=0
merge=0
targets=()
extra=()

usage() { sed -n '/^# Usage:/,/^# Environment:/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit "${1:-2}"; }

while (($#)); do
    case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --dir) state=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --nice) niceness=$2; shift 2 ;;
    --merge) merge=1; shift ;;
    -h | --help) usage 0 ;;
    --) shift; extra=("$@"); break ;;
    -*) echo "run.sh: unknown option $1" >&2; usage ;;
    *) targets+=("${1#fuzz_}"); shift ;;
    esac
done
((${#targets[@]})) || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
    [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "run.sh: unknown target '$t' (${all_targets[*]})" >&2; exit 2; }
done
[[ $seconds =~ ^[0-9]+$ && $jobs =~ ^[1-9][0-9]*$ && $niceness =~ ^-?[0-9]+$ ]] || usage
build=${build:-$state/build}
mkdir -p "$state"
state=$(cd "$state" && pwd)

# Inputs larger than the seeds need room to grow, but not so much that mutations drown in bytes nobody reads.
declare -A max_len=([elf]=32768 [object]=32768 [btf]=16384 [btf_ext]=32768 [inflate]=16384 [btf_dump]=16384 [core]=32768 [verifier_log]=8192 [log]=8192 [usdt]=16384 [ringbuf]=8192 [linker]=32768)

# --- build -----------------------------------------------------------------------------------------------------
# Coverage must reach into the library, so the whole build is instrumented (fuzzer-no-link) and sanitized; the
# fuzz executables alone link libFuzzer. b_lundef is off because Meson warns it breaks clang's sanitizer links.
if [[ ! -f $build/build.ninja ]]; then
    CXX=${CXX:-clang++} meson setup "$build" "$repo" \
        -Dfuzz=enabled -Dtools=disabled -Dexamples=disabled \
        -Dbuildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false \
        "-Dcpp_args=-fsanitize=fuzzer-no-link -fno-sanitize-recover=all"
fi
# Regenerate first when meson.build files changed since the last run, or `meson compile` misses new targets.
ninja -C "$build" build.ninja >/dev/null
meson compile -C "$build" "${targets[@]/#/fuzz_}"
if ! meson compile -C "$build" fuzz-seeds; then
    echo "run.sh: no generated seeds (python3 or bpf-progs missing?); fuzzing from the regressions only" >&2
fi

# --- fuzz ------------------------------------------------------------------------------------------------------
mkdir -p "$state/logs"
start_stamp=$state/logs/.start
touch "$start_stamp"
# UBSan must stop at the first report, or libFuzzer never sees it; leaks are checked at the end of each input.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1

run_one() {
    local t=$1 corpus=$state/corpus/$1 art=$state/artifacts/$1 log=$state/logs/$1.log
    local dirs=("$corpus")
    mkdir -p "$corpus" "$art"
    # The first directory receives new inputs; seeds and saved regressions are read only.
    [[ -d $build/tests/fuzz/seeds/$t ]] && dirs+=("$build/tests/fuzz/seeds/$t")
    # The linker reads objects: the object target's seeds are its seeds.
    [[ $t == linker && -d $build/tests/fuzz/seeds/object ]] && dirs+=("$build/tests/fuzz/seeds/object")
    [[ -d $repo/tests/fuzz/regressions/$t ]] && dirs+=("$repo/tests/fuzz/regressions/$t")
    local cmd=("$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024
               -max_len="${max_len[$t]}" -print_final_stats=1 -artifact_prefix="$art/" "${extra[@]}" "${dirs[@]}")
    # -malloc_limit_mb: one allocation over 1 GiB from an input of a few KiB is a bug (resource exhaustion), and
    # this way it is reported with the allocating stack rather than as a bare RSS overrun.
    # A wall-clock backstop in case the fuzzer itself wedges (libFuzzer's -timeout covers single inputs).
    local rc=0
    timeout --kill-after=30 $((seconds * 2 + 300)) nice -n "$niceness" "${cmd[@]}" >"$log" 2>&1 || rc=$?
    echo "$rc" >"$log.rc"
    if ((merge && rc == 0)); then
        rm -rf "$corpus.min" && mkdir "$corpus.min"
        if nice -n "$niceness" "$build/tests/fuzz/fuzz_$t" -merge=1 -max_len="${max_len[$t]}" "$corpus.min" "$corpus" \
            >"$log.merge" 2>&1; then
            rm -rf "$corpus" && mv "$corpus.min" "$corpus"
        fi
    fi
}

echo "fuzzing ${targets[*]} for ${seconds}s each, $jobs at a time; state in $state"
running=0
for t in "${targets[@]}"; do
    run_one "$t" &
    running=$((running + 1))
    if ((running >= jobs)); then
        wait -n || true
        running=$((running - 1))
    fi
done
wait || true

# --- report ----------------------------------------------------------------------------------------------------
failed=0
n_ok=0
n_bad=0
printf '%-8s %12s %8s %6s %7s %16s  %s\n' target execs exec/s cov ft corpus result
for t in "${targets[@]}"; do
    log=$state/logs/$t.log
    rc=$(cat "$log.rc" 2>/dev/null || echo 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    # libFuzzer's last status line ("#N DONE cov: C ft: F corp: ..."), or the last one before a crash.
    status=$(grep -E '^#[0-9]+.*cov: [0-9]+' "$log" | tail -1 || true)
    # Fork mode (-- -fork=N) prints no stat:: lines; its status lines ("#N: cov: ... exec/s R ...") carry both.
    [[ -n $execs ]] || execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$status")
    [[ -n $rate ]] || rate=$(sed -n 's/.*exec\/s:\{0,1\} \([0-9]*\).*/\1/p' <<<"$status")
    cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$status")
    ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$status")
    files=$(find "$state/corpus/$t" -type f | wc -l)
    size=$(du -sh "$state/corpus/$t" | cut -f1)
    mapfile -t found < <(find "$state/artifacts/$t" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
        -o -name 'oom-*' \) -newer "$start_stamp" | sort)
    result=ok
    if ((rc != 0 || ${#found[@]})); then
        failed=1
        n_bad=$((n_bad + 1))
        result="FAILED (exit $rc)"
        ((${#found[@]})) && result="crash: ${found[*]}"
    fi
    printf '%-8s %12s %8s %6s %7s %16s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" \
        "$files ($size)" "$result"
    if [[ $result != ok ]]; then
        # The sanitizer's verdict and the top of the stack, so CI logs show the bug without the artifact.
        grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|fuzz contract violated|.*runtime error:)' "$log" | sed 's/^/    /' || true
        grep -m6 -E '^ +#[0-9]+ 0x' "$log" | sed 's/^/    /' || true
        echo "    log: $log"
    else
        n_ok=$((n_ok + 1))
    fi
done
echo "$n_ok passed, $n_bad failed"
if ((failed)); then
    echo "run.sh: failures; reproduce with <build>/tests/fuzz/fuzz_<target> <artifact>, minimise with -minimize_crash=1" >&2
    exit 1
fi
