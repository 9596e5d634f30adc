#!/bin/sh
# Runs docs/examples/uprobe_counter and checks its counts: five uprobe hits, and five USDT hits with the last
# arguments 4 and 16 when it was built with <sys/sdt.h>. Skips (77) when not root, like the kernel suites.
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
set -eu
out=$("$@") || { echo "example failed: $out"; exit 1; }
echo "$out"
echo "$out" | grep -Eq '^uprobe hits: 5$' || { echo "missing uprobe count"; exit 1; }
echo "$out" | grep -Eq '^usdt hits: (5 \(last arguments 4, 16\)|0 .*)$' || { echo "missing usdt count"; exit 1; }
