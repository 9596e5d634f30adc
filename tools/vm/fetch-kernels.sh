#!/usr/bin/env bash
# Download Debian "cloud" kernels (with their modules) and Debian's static busybox for the test VMs.
#
#   tools/vm/fetch-kernels.sh [DIR] [ARCH:SERIES ...]
#
# ARCH is x86_64 or aarch64; SERIES one of
#   5.10   bullseye  (Debian 11)   linux-image-5.10.0-<ABI>-cloud-<debarch>-unsigned
#   6.1    bookworm  (Debian 12)   linux-image-6.1.0-<ABI>-cloud-<debarch>-unsigned
#   6.12   trixie    (Debian 13)   linux-image-6.12.<N>+deb13[.M]-cloud-<debarch>-unsigned
# Without ARCH:SERIES arguments: $EBPF_KERNELS (same words), else "<arch>:6.1" for each arch of
# $EBPF_KERNEL_ARCHES (default "x86_64 aarch64"), which is what this script always did.
#
# DIR defaults to $EBPF_KERNEL_DIR, then to $HOME/.cache/ebpf-cxx/kernels. For each kernel it looks up the
# newest package of the series through a private APT configuration per architecture (the host's dpkg
# architectures and apt lists are left alone), downloads it and keeps:
#   DIR/<release>/vmlinuz        the kernel image (arm64: raw Image)
#   DIR/<release>/config         its .config (CONFIG_ options; .kconfig externs read it as /boot/config-*)
#   DIR/<release>/modules/       lib/modules/<release> as packaged (modules.builtin, modules.order, kernel/...;
#                                no modules.dep: depmod writes it at install time, tools/vm/modules.py reads
#                                the dependencies from the modules themselves)
#   DIR/<arch>-<series>          symlink to DIR/<release>
#   DIR/busybox-<arch>           Debian's busybox-static for the architecture (a shell in the VM)
# and, for 6.1, the layout older scripts use: DIR/vmlinuz-<release>, DIR/config-<release>, DIR/vmlinuz-<arch>.
# Set EBPF_KERNEL_ABI=<N> to take ABI N of 6.1 instead of the newest (the 6.1 series only).
# A kernel already in DIR is not downloaded again. If the package index cannot be fetched but DIR already has a
# kernel for ARCH:SERIES, that one is used with a warning.
#
# Prints, one a line, "ARCH SERIES DIR/<release>" for every kernel asked for.
# Needs: apt-get, dpkg-deb, debian-archive-keyring (all on Debian by default).
set -euo pipefail

die() { echo "fetch-kernels.sh: error: $*" >&2; exit 1; }
log() { echo "fetch-kernels.sh: $*" >&2; }

dir=${EBPF_KERNEL_DIR:-${HOME:?HOME is not set}/.cache/ebpf-cxx/kernels}
if [ "$#" -gt 0 ] && [[ $1 != *:* ]]; then dir=$1; shift; fi
wanted=("$@")
if [ "${#wanted[@]}" = 0 ]; then
  if [ -n "${EBPF_KERNELS:-}" ]; then
    read -r -a wanted <<< "$EBPF_KERNELS"
  else
    for a in ${EBPF_KERNEL_ARCHES:-x86_64 aarch64}; do wanted+=("$a:6.1"); done
  fi
fi
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
mirror=${EBPF_DEBIAN_MIRROR:-http://deb.debian.org}

command -v apt-get >/dev/null || die "apt-get not found (this script needs a Debian-like host)"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"
[ -r "$keyring" ] || die "$keyring missing (apt-get install debian-archive-keyring)"

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ebpf-cxx-kernels.XXXXXX")
trap 'rm -rf "$work"' EXIT

# series -> Debian suite and package name pattern (an extended regex; @ARCH@ is the Debian architecture).
suite_of() {
  case $1 in
    5.10) echo bullseye ;;
    6.1) echo bookworm ;;
    6.12) echo trixie ;;
    *) die "unknown kernel series '$1' (5.10, 6.1 or 6.12)" ;;
  esac
}
pattern_of() {
  case $1 in
    5.10) echo '^linux-image-5\.10\.0-[0-9]+-cloud-@ARCH@-unsigned$' ;;
    6.1) echo '^linux-image-6\.1\.0-[0-9]+-cloud-@ARCH@-unsigned$' ;;
    6.12) echo '^linux-image-6\.12\.[0-9]+\+deb13(\.[0-9]+)?-cloud-@ARCH@-unsigned$' ;;
  esac
}

# apt_setup DEBARCH: private APT tree in DIR/.apt-DEBARCH (kept, so a later run only refreshes the index) with
# all three suites; prints its apt.conf.
apt_setup() {
  local a=$dir/.apt-$1 s
  mkdir -p "$a/state/lists/partial" "$a/cache/archives/partial" "$a/empty"
  touch "$a/status"
  : > "$a/sources.list.new"
  for s in bullseye bookworm trixie; do
    printf '%s\n' \
      "deb [signed-by=$keyring] $mirror/debian $s main" \
      "deb [signed-by=$keyring] $mirror/debian $s-updates main" \
      "deb [signed-by=$keyring] $mirror/debian-security $s-security main" >> "$a/sources.list.new"
  done
  mv -f "$a/sources.list.new" "$a/sources.list"
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

declare -A updated=()   # debarch -> 1 (index fresh) or 0 (update failed)
declare -A confs=()

# download PKG DEBARCH CONF: the .deb's path in $work.
download() {
  local pkg=$1 conf=$3 deb
  (cd "$work" && APT_CONFIG=$conf apt-get -qq -o Dir::Cache::archives="$work" download "$pkg") \
    || die "apt-get download $pkg failed"
  deb=$(find "$work" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
  [ -n "$deb" ] || die "downloaded .deb for $pkg not found"
  echo "$deb"
}

for want in "${wanted[@]}"; do
  deb=''
  arch=${want%%:*}
  series=${want#*:}
  case $arch in
    x86_64) debarch=amd64 ;;
    aarch64) debarch=arm64 ;;
    *) die "unsupported architecture '$arch' in '$want' (x86_64 or aarch64)" ;;
  esac
  suite=$(suite_of "$series")
  link=$dir/$arch-$series

  if [ -z "${updated[$debarch]:-}" ]; then
    confs[$debarch]=$(apt_setup "$debarch")
    if APT_CONFIG=${confs[$debarch]} apt-get -qq update >"$work/update-$debarch.log" 2>&1; then
      updated[$debarch]=1
    else
      updated[$debarch]=0
    fi
  fi
  conf=${confs[$debarch]}
  if [ "${updated[$debarch]}" = 0 ]; then
    if [ -e "$link/vmlinuz" ]; then
      log "warning: package index for $debarch unavailable, keeping cached $(readlink "$link")"
      echo "$arch $series $(readlink -f "$link")"
      continue
    fi
    cat "$work/update-$debarch.log" >&2
    die "apt-get update for $debarch failed"
  fi

  if [ "$series" = 6.1 ] && [ -n "${EBPF_KERNEL_ABI:-}" ]; then
    pkg=linux-image-6.1.0-$EBPF_KERNEL_ABI-cloud-$debarch-unsigned
  else
    pat=$(pattern_of "$series")
    pat=${pat//@ARCH@/$debarch}
    pkgs=$(APT_CONFIG=$conf apt-cache search --names-only "$pat" | awk '{print $1}' | grep -E "$pat" \
          | sort -rV || true)
    [ -n "$pkgs" ] || die "no package matching $pat in $suite ($debarch)"
    # Newest first; an index can list a package that its mirror no longer serves (404), so take the newest that
    # is cached already, else the newest that downloads (trying up to ten).
    pkg=''
    for p in $(echo "$pkgs" | head -n 10); do
      r=${p#linux-image-}; r=${r%-unsigned}
      if [ -s "$dir/$r/vmlinuz" ] && [ -f "$dir/$r/modules/modules.builtin" ]; then pkg=$p; break; fi
    done
    if [ -z "$pkg" ]; then
      for p in $(echo "$pkgs" | head -n 10); do
        if deb=$(download "$p" "$debarch" "$conf" 2>"$work/download.log"); then pkg=$p; break; fi
        log "warning: $(grep -m1 -E '^E:' "$work/download.log" || echo "cannot download $p"); trying an older one"
      done
      [ -n "$pkg" ] || die "none of the newest ten packages matching $pat downloads"
    fi
  fi
  release=${pkg#linux-image-}
  release=${release%-unsigned}          # e.g. 6.1.0-<ABI>-cloud-<debarch>
  kdir=$dir/$release

  if [ -s "$kdir/vmlinuz" ] && [ -f "$kdir/modules/modules.builtin" ]; then
    log "$arch $series: $release already in $dir"
  else
    log "$arch $series: unpacking $pkg ($suite)"
    [ -n "${deb:-}" ] && [ -f "$deb" ] || deb=$(download "$pkg" "$debarch" "$conf")
    x=$work/x-$release
    mkdir -p "$x"
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$x" "./boot/vmlinuz-$release" "./boot/config-$release" \
      "./lib/modules/$release" 2>/dev/null \
      || dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$x" "./boot/vmlinuz-$release" "./boot/config-$release" \
           "./usr/lib/modules/$release"
    mods=$x/lib/modules/$release
    [ -d "$mods" ] || mods=$x/usr/lib/modules/$release
    [ -f "$mods/modules.builtin" ] || die "$pkg has no modules.builtin"
    rm -rf "$kdir.tmp"
    mkdir -p "$kdir.tmp"
    install -m 0644 "$x/boot/vmlinuz-$release" "$kdir.tmp/vmlinuz"
    install -m 0644 "$x/boot/config-$release" "$kdir.tmp/config"
    mv "$mods" "$kdir.tmp/modules"
    rm -rf "$kdir"
    mv "$kdir.tmp" "$kdir"
    rm -rf "$x" "$deb"
  fi
  ln -sfn "$release" "$link"
  if [ "$series" = 6.1 ]; then
    # The layout of earlier versions of this script (other checkouts may share this cache).
    ln -sfn "$release/vmlinuz" "$dir/vmlinuz-$release"
    ln -sfn "$release/config" "$dir/config-$release"
    ln -sfn "vmlinuz-$release" "$dir/vmlinuz-$arch"
  fi
  log "$arch $series: $link -> $release"

  bb=$dir/busybox-$arch
  if [ ! -x "$bb" ]; then
    # Debian's busybox-static (the newest of the three suites): a statically linked shell and tools.
    deb=$(download busybox-static "$debarch" "$conf")
    mkdir -p "$work/bb-$debarch"
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/bb-$debarch" --wildcards './*bin/busybox'
    src=$(find "$work/bb-$debarch" -name busybox -type f | head -n 1)
    [ -n "$src" ] || die "no busybox in $deb"
    install -m 0755 "$src" "$bb.tmp"
    mv -f "$bb.tmp" "$bb"
    rm -rf "$work/bb-$debarch" "$deb"
    log "$arch: $bb"
  fi
  echo "$arch $series $kdir"
done
