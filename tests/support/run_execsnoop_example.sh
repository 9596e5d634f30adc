#!/bin/sh
# Runs docs/examples/execsnoop: started for this shell's children named "true", it must print one line per exec of
# /bin/true (three), with this shell as the parent, and exit 0 once it has seen them.
#   run_execsnoop_example.sh EXECSNOOP EXECSNOOP_BPF_O
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
set -u
example=$1
obj=$2
tmp=$(mktemp -d /tmp/ebpf-execsnoop.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$example" --ppid $$ --comm true --count 3 --timeout 30 "$obj" >"$tmp/out" 2>"$tmp/err" &
pid=$!
i=0
while ! grep -qs 'tracing execs' "$tmp/err"; do
    if ! kill -0 "$pid" 2>/dev/null || [ $i -ge 400 ]; then
        echo "execsnoop did not start:"; cat "$tmp/err"; exit 1
    fi
    i=$((i + 1))
    sleep 0.05
done
/bin/true
/bin/true
/bin/true
wait "$pid"
rc=$?
cat "$tmp/out" "$tmp/err"
[ "$rc" = 0 ] || { echo "execsnoop exited $rc"; exit 1; }
n=$(grep -Ec "^pid=[0-9]+ ppid=$$ comm=true filename=/bin/true\$" "$tmp/out")
[ "$n" = 3 ] || { echo "expected 3 exec lines, got $n"; exit 1; }
grep -q '^execsnoop: 3 printed, 3 seen$' "$tmp/err" || { echo "missing the summary line"; exit 1; }
echo "ok: 3 execs of /bin/true seen"
