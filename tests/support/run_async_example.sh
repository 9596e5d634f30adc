#!/bin/sh
# Runs docs/examples/async_openat: it must print the three openat() calls it made and exit 0.
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
set -eu
out=$("$@") || { echo "example failed: $out"; exit 1; }
echo "$out"
for i in 1 2 3; do
    echo "$out" | grep -Eq "^openat pid=[0-9]+ comm=async_openat file=/tmp/ebpf-cxx-async-example-[0-9]+/$i\$" ||
        { echo "missing openat line for file $i"; exit 1; }
done
echo "$out" | grep -Eq '^events: [3-9]' || { echo "missing event count"; exit 1; }
