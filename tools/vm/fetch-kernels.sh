#!/usr/bin/env bash
# Download Debian 12 (bookworm) 6.1 "cloud" kernels for the test VMs.
#
#   tools/vm/fetch-kernels.sh [DIR]
#
# DIR defaults to $EBPF_KERNEL_DIR, then to $HOME/.cache/ebpf-cxx/kernels.
# For each architecture (x86_64 -> amd64, aarch64 -> arm64; choose with
# EBPF_KERNEL_ARCHES="x86_64 aarch64") it looks up the newest ABI of
# linux-image-6.1.0-<ABI>-cloud-<arch>-unsigned through a private APT
# configuration (the host's dpkg architectures and apt lists are left alone),
# downloads the .deb and keeps only:
#   DIR/vmlinuz-6.1.0-<ABI>-cloud-<arch>   the kernel image (arm64: raw Image)
#   DIR/config-6.1.0-<ABI>-cloud-<arch>    its .config, to check CONFIG_ options
#   DIR/vmlinuz-x86_64, DIR/vmlinuz-aarch64 symlinks to the newest kernel
# Set EBPF_KERNEL_ABI=<N> to take a given ABI instead of the newest.
# A kernel already in DIR is not downloaded again. If the package index cannot
# be fetched but DIR already has a kernel for the architecture, that one is
# used with a warning.
#
# Needs: apt-get, dpkg-deb, debian-archive-keyring (all on Debian by default).
set -euo pipefail

die() { echo "fetch-kernels.sh: error: $*" >&2; exit 1; }
log() { echo "fetch-kernels.sh: $*" >&2; }

dir=${1:-${EBPF_KERNEL_DIR:-${HOME:?HOME is not set}/.cache/ebpf-cxx/kernels}}
arches=${EBPF_KERNEL_ARCHES:-x86_64 aarch64}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
mirror=${EBPF_DEBIAN_MIRROR:-http://deb.debian.org}

command -v apt-get >/dev/null || die "apt-get not found (this script needs a Debian-like host)"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"
[ -r "$keyring" ] || die "$keyring missing (apt-get install debian-archive-keyring)"

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ebpf-cxx-kernels.XXXXXX")
trap 'rm -rf "$work"' EXIT

# apt_setup DEBARCH: private APT tree in DIR/.apt-DEBARCH (kept, so a later
# run only refreshes the index); prints its apt.conf.
apt_setup() {
  local a=$dir/.apt-$1
  mkdir -p "$a/state/lists/partial" "$a/cache/archives/partial" "$a/empty"
  touch "$a/status"
  printf '%s\n' \
    "deb [signed-by=$keyring] $mirror/debian bookworm main" \
    "deb [signed-by=$keyring] $mirror/debian bookworm-updates main" \
    "deb [signed-by=$keyring] $mirror/debian-security bookworm-security main" \
    > "$a/sources.list"
  printf '%s\n' \
    "Dir::State \"$a/state\";" \
    "Dir::State::status \"$a/status\";" \
    "Dir::Cache \"$a/cache\";" \
    "Dir::Etc::SourceList \"$a/sources.list\";" \
    "Dir::Etc::SourceParts \"$a/empty\";" \
    "Dir::Etc::Preferences \"$a/empty/preferences\";" \
    "Dir::Etc::PreferencesParts \"$a/empty\";" \
    "APT::Architecture \"$1\";" \
    "APT::Architectures { \"$1\"; };" \
    'Acquire::Languages "none";' \
    'APT::Sandbox::User "root";' \
    > "$a/apt.conf"
  echo "$a/apt.conf"
}

for arch in $arches; do
  case $arch in
    x86_64) debarch=amd64 ;;
    aarch64) debarch=arm64 ;;
    *) die "unsupported architecture '$arch' (x86_64 or aarch64)" ;;
  esac
  link=$dir/vmlinuz-$arch

  conf=$(apt_setup "$debarch")
  if ! APT_CONFIG=$conf apt-get -qq update >"$work/update-$debarch.log" 2>&1; then
    if [ -e "$link" ]; then
      log "warning: package index for $debarch unavailable, keeping cached $(readlink "$link")"
      continue
    fi
    cat "$work/update-$debarch.log" >&2
    die "apt-get update for $debarch failed"
  fi

  if [ -n "${EBPF_KERNEL_ABI:-}" ]; then
    pkg=linux-image-6.1.0-$EBPF_KERNEL_ABI-cloud-$debarch-unsigned
  else
    pkg=$(APT_CONFIG=$conf apt-cache search --names-only \
            "^linux-image-6\\.1\\.0-[0-9]+-cloud-$debarch-unsigned\$" \
          | awk '{print $1}' | sort -V | tail -n 1)
    [ -n "$pkg" ] || die "no linux-image-6.1.0-*-cloud-$debarch-unsigned package found"
  fi
  release=${pkg#linux-image-}
  release=${release%-unsigned}          # 6.1.0-<ABI>-cloud-<debarch>
  image=$dir/vmlinuz-$release

  if [ -s "$image" ]; then
    log "$arch: $release already in $dir"
  else
    log "$arch: downloading $pkg"
    (cd "$work" && APT_CONFIG=$conf apt-get -qq -o Dir::Cache::archives="$work" download "$pkg") \
      || die "apt-get download $pkg failed"
    deb=$(find "$work" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
    [ -n "$deb" ] || die "downloaded .deb for $pkg not found"
    mkdir -p "$work/x-$debarch"
    # Unpack only what we keep (the modules are most of the package).
    dpkg-deb --fsys-tarfile "$deb" \
      | tar -x -C "$work/x-$debarch" "./boot/vmlinuz-$release" "./boot/config-$release"
    install -m 0644 "$work/x-$debarch/boot/vmlinuz-$release" "$image.tmp"
    install -m 0644 "$work/x-$debarch/boot/config-$release" "$dir/config-$release"
    mv -f "$image.tmp" "$image"
    rm -rf "$work/x-$debarch" "$deb"
  fi
  ln -sfn "vmlinuz-$release" "$link"
  log "$arch: $link -> vmlinuz-$release"
done

for arch in $arches; do
  if [ -e "$dir/vmlinuz-$arch" ]; then echo "$dir/vmlinuz-$arch"; fi
done
