#!/bin/sh
# Skips (77) when not root, like the kernel suites.
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
# Runs an example and checks it printed both packet counts with non-zero values.
set -eu
out=$("$@") || { echo "example failed: $out"; exit 1; }
echo "$out"
echo "$out" | grep -Eq '^ingress packets: [1-9][0-9]*$' || { echo "missing ingress count"; exit 1; }
echo "$out" | grep -Eq '^egress packets: [1-9][0-9]*$' || { echo "missing egress count"; exit 1; }
