#!/usr/bin/env bash
# End-to-end check of the VM runner: builds tools/vm/smoke.cpp with zig for
# each architecture, boots the cached Debian 6.1 kernel with run.sh and runs
# it (BPF_MAP_CREATE/UPDATE/LOOKUP on an ARRAY map, BPF_PROG_LOAD of
# "r0 = 0; exit", BPF_PROG_TEST_RUN, size of /sys/kernel/btf/vmlinux).
#
#   tools/vm/selftest.sh [x86_64] [aarch64]      (default: both)
#
# Needs tools/cross/setup-zig.sh and tools/vm/fetch-kernels.sh to have run
# (same EBPF_ZIG_PREFIX / EBPF_KERNEL_DIR defaults). Exit status 0 = all passed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
zig=${EBPF_ZIG:-${EBPF_ZIG_PREFIX:-$HOME/.cache/ebpf-cxx/zig}/bin/zig}
kdir=${EBPF_KERNEL_DIR:-$HOME/.cache/ebpf-cxx/kernels}
[ -x "$zig" ] || { echo "selftest.sh: $zig missing: run tools/cross/setup-zig.sh" >&2; exit 2; }

arches=("$@")
[ "${#arches[@]}" -gt 0 ] || arches=(x86_64 aarch64)

work=$(mktemp -d "${TMPDIR:-/tmp}/ebpf-cxx-selftest.XXXXXX")
trap 'rm -rf "$work"' EXIT

summary=() failed=0
for arch in "${arches[@]}"; do
  kernel=$kdir/vmlinuz-$arch
  [ -e "$kernel" ] || { echo "selftest.sh: $kernel missing: run tools/vm/fetch-kernels.sh" >&2; exit 2; }
  # Compile with -O2, link with only -static, strip with objcopy: this reuses
  # zig's cached musl/libc++ build of a Meson build (see tools/cross/README.md).
  "$zig" c++ -target "$arch-linux-musl" -std=c++20 -O2 -Wall -Wextra -c "$here/smoke.cpp" -o "$work/smoke-$arch.o"
  "$zig" c++ -target "$arch-linux-musl" -static "$work/smoke-$arch.o" -o "$work/smoke-$arch.full"
  "$zig" objcopy --strip-all "$work/smoke-$arch.full" "$work/smoke-$arch"
  chmod 0755 "$work/smoke-$arch"

  start=$(date +%s%N)
  if "$here/run.sh" --arch "$arch" --kernel "$kernel" --timeout 120 \
       --file "$work/smoke-$arch:/bin/smoke" -- /bin/smoke; then
    result=ok
  else
    result="FAILED (status $?)"
    failed=1
  fi
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  summary+=("$arch: $result, $(printf '%d.%03d' $((ms / 1000)) $((ms % 1000))) s")
done

echo "--- vm selftest ---"
printf '%s\n' "${summary[@]}"
exit "$failed"
