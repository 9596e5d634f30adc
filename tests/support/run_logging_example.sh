#!/bin/sh
# Runs docs/examples/bpf_logging: stderr has the default sink's lines, stdout those of its own sink.
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
set -eu
err=$(mktemp)
trap 'rm -f "$err"' EXIT
out=$("$@" 2>"$err") || { echo "example failed: $out"; cat "$err"; exit 1; }
echo "$out"
cat "$err"
for i in 1 2 3; do
    grep -Eq "^\[INFO  log_example\] getppid\(\) #$i from bpf_logging \(pid [0-9]+, tid [0-9]+\)\$" "$err" ||
        { echo "missing default-sink line $i"; exit 1; }
done
grep -Fxq '[WARN  log_example] 3 calls so far: 0x00000003' "$err" || { echo "missing warning line"; exit 1; }
if grep -q 'debug lines' "$err"; then echo "the debug line should have been removed at load"; exit 1; fi
echo "$out" | grep -Eq '^INFO .*log_example\.bpf\.c:[0-9]+: getppid\(\) #4 from bpf_logging' ||
    { echo "missing custom-sink line"; exit 1; }
