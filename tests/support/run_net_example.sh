#!/bin/sh
# Runs a networking example (docs/examples/xdp_counter, tcx_counter) and checks its output lines.
#   run_net_example.sh EXAMPLE OBJECT REGEX...   each REGEX must match a line of the output
# Skips (77) when not root, like the kernel suites.
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
exe=$1
obj=$2
shift 2
out=$("$exe" "$obj" 2>&1) || { echo "$out"; echo "example failed"; exit 1; }
echo "$out"
for re in "$@"; do
    echo "$out" | grep -Eq "$re" || { echo "missing a line matching: $re"; exit 1; }
done
