#!/usr/bin/env bash
# Run one command inside a throw-away qemu VM (TCG) booted from a given kernel.
#
#   tools/vm/run.sh --arch x86_64|aarch64 --kernel VMLINUZ [options] -- /guest/path/cmd [args...]
#   tools/vm/run.sh --arch x86_64|aarch64 --kernel-dir DIR [options] -- /guest/path/cmd [args...]
#
# Options:
#   --kernel-dir DIR     a kernel as tools/vm/fetch-kernels.sh keeps it (DIR/vmlinuz,
#                        DIR/config, DIR/modules/): boots DIR/vmlinuz, puts DIR/config
#                        at /boot/config-<release> (.kconfig externs read it, as on
#                        a real system), loads the modules of --modules before the
#                        command, and adds lsm=...,bpf to the kernel command line
#                        where the kernel has CONFIG_BPF_LSM but not bpf in its
#                        default CONFIG_LSM (BPF LSM programs need it)
#   --modules LIST       with --kernel-dir: the modules to load, a file (one name a
#                        line) or NAME,NAME...; with their dependencies; names the
#                        kernel lacks or builds in are skipped (default
#                        tools/vm/modules.list; '' for none)
#   --busybox FILE       a static busybox at /bin/busybox; /init installs its
#                        applets (/bin/sh, ...) before the command
#   --timeout S          kill the VM after S seconds (default 300); exit 124
#   --file SRC[:DEST]    put SRC (file or directory) into the initramfs at DEST
#                        (default /<basename of SRC>; a DEST ending in / is a
#                        directory to put it in). Repeatable.
#   --env NAME=VALUE     extra environment for the command. Repeatable.
#   --cwd DIR            working directory of the command (default /)
#   --memory MB          guest memory (default 1024)
#   --smp N              guest CPUs (default 1)
#   --append ARGS        extra kernel command line
#   --qemu-arg ARG       extra qemu argument. Repeatable.
#   --log FILE           also write the console output to FILE
#   --keep-initramfs F   also write the initramfs to F
#
# The console is streamed to stdout. The exit status is the guest command's,
# read from the "=== VM-TEST EXIT <n> ===" line that tools/vm/init.c prints
# (128+N if it died from signal N, 127 if it was not found, 126 if it could
# not be executed, e.g. wrong architecture); 124 if the timeout hit first, 125
# if the VM stopped without that line (kernel panic, broken init), 2 for usage
# errors. qemu's own exit status says nothing: it is 0 on power-off.
#
# Environment:
#   EBPF_ZIG        zig binary used to build /init (default: $EBPF_ZIG_PREFIX/bin/zig,
#                   $HOME/.cache/ebpf-cxx/zig/bin/zig, then zig on PATH)
#   EBPF_VM_INIT    a prebuilt static /init for --arch (skips zig)
#   EBPF_VM_CACHE   where built /init binaries are cached (default $HOME/.cache/ebpf-cxx/vm)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() { echo "run.sh: error: $*" >&2; exit 2; }
log() { echo "run.sh: $*" >&2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

arch='' kernel='' kernel_dir='' modules="$here/modules.list" busybox=''
timeout=300 cwd='' memory=1024 smp=1 append='' logfile='' keep_initramfs=''
files=() envs=() qemu_extra=()

need_arg() { [ "$#" -ge 2 ] || die "$1 needs an argument"; }
while [ "$#" -gt 0 ]; do
  case $1 in
    --arch) need_arg "$@"; arch=$2; shift 2 ;;
    --kernel) need_arg "$@"; kernel=$2; shift 2 ;;
    --kernel-dir) need_arg "$@"; kernel_dir=$2; shift 2 ;;
    --modules) need_arg "$@"; modules=$2; shift 2 ;;
    --busybox) need_arg "$@"; busybox=$2; shift 2 ;;
    --timeout) need_arg "$@"; timeout=$2; shift 2 ;;
    --file) need_arg "$@"; files+=("$2"); shift 2 ;;
    --env) need_arg "$@"; envs+=("$2"); shift 2 ;;
    --cwd) need_arg "$@"; cwd=$2; shift 2 ;;
    --memory) need_arg "$@"; memory=$2; shift 2 ;;
    --smp) need_arg "$@"; smp=$2; shift 2 ;;
    --append) need_arg "$@"; append=$2; shift 2 ;;
    --qemu-arg) need_arg "$@"; qemu_extra+=("$2"); shift 2 ;;
    --log) need_arg "$@"; logfile=$2; shift 2 ;;
    --keep-initramfs) need_arg "$@"; keep_initramfs=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    --) shift; break ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[ "$#" -ge 1 ] || die "no command given after -- (see --help)"
case $1 in /*) ;; *) die "the command must be an absolute path inside the initramfs: $1" ;; esac
if [ -n "$kernel_dir" ]; then
  [ -d "$kernel_dir" ] || die "--kernel-dir: not a directory: $kernel_dir"
  kernel_dir=$(cd "$kernel_dir" && pwd -P)
  [ -n "$kernel" ] || kernel=$kernel_dir/vmlinuz
fi
[ -n "$kernel" ] || die "--kernel or --kernel-dir is required"
[ -z "$busybox" ] || [ -r "$busybox" ] || die "--busybox: not readable: $busybox"
[ -r "$kernel" ] || die "kernel not readable: $kernel"
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout wants whole seconds: $timeout"
[[ $memory =~ ^[0-9]+$ ]] || die "--memory wants megabytes: $memory"
[[ $smp =~ ^[0-9]+$ ]] || die "--smp wants a number: $smp"

case $arch in
  x86_64)
    qemu='qemu-system-x86_64'
    qemu_args=(-accel tcg -cpu max)
    console=ttyS0 ;;
  aarch64)
    qemu='qemu-system-aarch64'
    # pauth=off: emulating pointer authentication makes TCG ~5x slower.
    qemu_args=(-M virt -accel tcg -cpu 'max,pauth=off')
    console=ttyAMA0 ;;
  '') die "--arch is required (x86_64 or aarch64)" ;;
  *) die "unsupported --arch '$arch' (x86_64 or aarch64)" ;;
esac
command -v "$qemu" >/dev/null \
  || die "$qemu not found (Debian: apt-get install --no-install-recommends $([ "$arch" = x86_64 ] && echo qemu-system-x86 || echo qemu-system-arm))"
for tool in cpio gzip timeout; do
  command -v "$tool" >/dev/null || die "$tool not found"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/ebpf-cxx-vm.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- /init -------------------------------------------------------------------
if [ -n "${EBPF_VM_INIT:-}" ]; then
  init_bin=$EBPF_VM_INIT
  [ -r "$init_bin" ] || die "EBPF_VM_INIT not readable: $init_bin"
else
  zig=${EBPF_ZIG:-}
  if [ -z "$zig" ]; then
    for cand in "${EBPF_ZIG_PREFIX:-${HOME:-/nonexistent}/.cache/ebpf-cxx/zig}/bin/zig" "$(command -v zig || true)"; do
      if [ -n "$cand" ] && [ -x "$cand" ]; then zig=$cand; break; fi
    done
  fi
  [ -n "$zig" ] || die "zig not found: run tools/cross/setup-zig.sh, or set EBPF_ZIG or EBPF_VM_INIT"
  cache=${EBPF_VM_CACHE:-${HOME:-/tmp}/.cache/ebpf-cxx/vm}
  mkdir -p "$cache"
  sum=$(sha256sum < "$here/init.c" | cut -c1-16)
  init_bin=$cache/init-$arch-$sum
  if [ ! -x "$init_bin" ]; then
    log "building /init for $arch"
    # Optimise when compiling, link with nothing but -static and strip with
    # objcopy: zig keys its cached musl/libc++ builds on the link flags, and
    # this combination reuses the ones a Meson build with the cross files made.
    "$zig" cc -target "$arch-linux-musl" -Os -Wall -Wextra -c -o "$work/init.o" "$here/init.c"
    "$zig" cc -target "$arch-linux-musl" -static -o "$work/init.full" "$work/init.o"
    "$zig" objcopy --strip-all "$work/init.full" "$work/init"
    chmod 0755 "$work/init"
    mv -f "$work/init" "$init_bin"
    # Drop /init builds of older init.c versions.
    find "$cache" -maxdepth 1 -name "init-$arch-*" ! -name "${init_bin##*/}" -delete
  fi
fi

# --- initramfs ---------------------------------------------------------------
root=$work/root
mkdir -p "$root"/{dev,proc,sys,tmp,run,root,vmtest}
install -m 0755 "$init_bin" "$root/init"
if [ "$(id -u)" = 0 ]; then
  # The kernel opens /dev/console for init before init can mount devtmpfs.
  # (Without root, init reopens the console itself after mounting devtmpfs.)
  mknod -m 600 "$root/dev/console" c 5 1
  mknod -m 666 "$root/dev/null" c 1 3
fi

for spec in "${files[@]}"; do
  src=${spec%%:*}
  if [ "$src" = "$spec" ]; then dest=/$(basename "$src"); else dest=${spec#*:}; fi
  case $dest in /*) ;; *) dest=/$dest ;; esac
  case $dest in */) dest=$dest$(basename "$src") ;; esac
  [ -e "$src" ] || die "--file: no such file: $src"
  case $dest in
    /tmp | /tmp/* | /run | /run/* | /dev | /dev/* | /proc | /proc/* | /sys | /sys/*)
      die "--file: $dest would be hidden by a file system that /init mounts there" ;;
  esac
  mkdir -p "$(dirname "$root$dest")"
  cp -RL --preserve=mode "$src" "$root$dest"
done

if [ -n "$busybox" ]; then
  mkdir -p "$root/bin"
  install -m 0755 "$busybox" "$root/bin/busybox"
fi

if [ -n "$kernel_dir" ]; then
  release=$(basename "$kernel_dir")
  if [ -f "$kernel_dir/config" ]; then
    mkdir -p "$root/boot"
    cp "$kernel_dir/config" "$root/boot/config-$release"
    # BPF LSM programs attach only where "bpf" is in the active LSM list (5.10 builds BPF_LSM but leaves it out).
    if grep -q '^CONFIG_BPF_LSM=y' "$kernel_dir/config"; then
      lsms=$(sed -n 's/^CONFIG_LSM="\(.*\)"$/\1/p' "$kernel_dir/config")
      case ",$lsms," in
        *,bpf,*) ;;
        *) append="lsm=${lsms:+$lsms,}bpf${append:+ $append}" ;;
      esac
    fi
  fi
  if [ -n "$modules" ] && [ -d "$kernel_dir/modules/kernel" ]; then
    command -v python3 >/dev/null || die "python3 not found (tools/vm/modules.py picks the modules)"
    if [ -f "$modules" ]; then mod_args=("@$modules"); else IFS=, read -r -a mod_args <<< "$modules"; fi
    python3 "$here/modules.py" "$kernel_dir/modules" "$root/vmtest/modules" "${mod_args[@]}" \
      || die "cannot pick the modules for $release"
  fi
fi

if [ -e "$root$1" ]; then
  [ -x "$root$1" ] || die "the command $1 is not executable"
elif [ -z "$busybox" ]; then
  die "the command $1 is not in the initramfs (add it with --file SRC:$1)"
fi  # else perhaps a busybox applet (/bin/sh): init says if it is not
printf '%s\0' "$@" > "$root/vmtest/argv"
if [ "${#envs[@]}" -gt 0 ]; then printf '%s\0' "${envs[@]}" > "$root/vmtest/env"; fi
if [ -n "$cwd" ]; then printf '%s' "$cwd" > "$root/vmtest/cwd"; fi

initrd=$work/initramfs.cpio.gz
(cd "$root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z \
  | cpio --null -o -H newc --quiet -R 0:0) | gzip -n -1 > "$initrd"
if [ -n "$keep_initramfs" ]; then cp "$initrd" "$keep_initramfs"; fi

# --- boot --------------------------------------------------------------------
cmdline="console=$console panic=-1 quiet${append:+ $append}"
logfile=${logfile:-$work/console.log}
log "booting $(basename "$kernel") ($arch, TCG, ${memory} MiB, $smp CPU, initramfs $(($(stat -c %s "$initrd") / 1024)) KiB, timeout ${timeout}s)"

start=$(date +%s%N)
set +e
timeout --kill-after=5 "$timeout" \
  "$qemu" "${qemu_args[@]}" -m "$memory" -smp "$smp" \
  -nodefaults -display none -serial stdio -no-reboot \
  -kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
  "${qemu_extra[@]}" < /dev/null | tee "$logfile"
statuses=("${PIPESTATUS[@]}")
set -e
end=$(date +%s%N)
qemu_status=${statuses[0]}
elapsed=$(( (end - start) / 1000000 ))
elapsed_s=$(printf '%d.%03d' $((elapsed / 1000)) $((elapsed % 1000)))

marker=$(tr -d '\r' < "$logfile" | grep -a -o '=== VM-TEST EXIT [0-9]* ===' | tail -n 1 || true)
if [ -n "$marker" ]; then
  code=${marker#=== VM-TEST EXIT }
  code=${code% ===}
  log "guest command exited with $code (boot+run ${elapsed_s}s)"
  exit "$code"
fi
if [ "$qemu_status" = 124 ] || [ "$qemu_status" = 137 ]; then
  log "timeout: no exit marker after ${timeout}s"
  exit 124
fi
log "VM stopped without an exit marker after ${elapsed_s}s (qemu status $qemu_status): kernel panic or init failure?"
exit 125
