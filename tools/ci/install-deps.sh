#!/usr/bin/env bash
# Installs what building and testing ebpf-cxx needs on Debian 12 (idempotent; root).
#   tools/ci/install-deps.sh            build + native tests
#   tools/ci/install-deps.sh --ci       + cross/VM/fuzz/sanitizer tooling used by .ci/run
set -euo pipefail

base=(meson ninja-build g++ clang clang-19 llvm libbpf-dev catch2 linux-libc-dev python3 pkg-config iproute2)
# cmake and make: the consumer projects (tests/consumers); doxygen: the API reference (docs/api.md).
extra=(qemu-user-static qemu-system-x86 qemu-system-arm cpio npm libclang-rt-14-dev file gzip debian-archive-keyring
    cmake make doxygen)

pkgs=("${base[@]}")
[ "${1:-}" = --ci ] && pkgs+=("${extra[@]}")

missing=()
for p in "${pkgs[@]}"; do
    # npm may come with a nodejs that is not Debian's (which then conflicts with Debian's npm): any npm will do.
    if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: everything is installed"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing packages: ${missing[*]} (run as root, or install them yourself)" >&2
    exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
