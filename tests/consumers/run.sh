#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds and runs the consumer projects: ebpf-cxx used from other projects the ways docs/vendoring.md describes.
#   1. install   meson setup + meson install of this repository into WORK/prefix (library, headers, ebpf-cxx.pc,
#                lib/.../cmake/ebpf-cxx/), then checks the installed files
#   2. builds    meson-pkgconfig  tests/consumers/meson with dependency('ebpf-cxx') found through pkg-config
#                meson-subproject the same project with this repository in subprojects/ebpf-cxx (symlink)
#                musl-subproject  that project cross-built static for x86_64-linux-musl with zig (skipped, with the
#                                 reason, when tools/cross/setup-zig.sh has not installed zig)
#                cmake            tests/consumers/cmake: find_package(ebpf-cxx) + ebpf-cxx::ebpf-cxx
#                make             tests/consumers/make: pkg-config --cflags --libs --static ebpf-cxx
#   3. runs      each program loads its count.bpf.o, test-runs the XDP program and checks the map (root only:
#                as another user the runs print SKIP and do not count; with EBPF_CI=1 a skip is a failure)
# Every consumer gets a fresh copy of its project next to the shared sources in tests/consumers/src.
#   tests/consumers/run.sh [--work DIR] [--jobs N] [CONSUMER...]
# WORK defaults to a temporary directory (removed at the end); a given one is kept and reused, so a second run
# only rebuilds what changed. Ends with "N passed, N failed"; exit status 0 when nothing failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=
jobs=2
consumers=()
while [ $# -gt 0 ]; do
    case $1 in
    --work) work=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h | --help) sed -n '3,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) consumers+=("$1"); shift ;;
    esac
done
[ ${#consumers[@]} -gt 0 ] || consumers=(meson-pkgconfig meson-subproject musl-subproject cmake make)
if [ -z "$work" ]; then
    work=$(mktemp -d "${TMPDIR:-/tmp}/ebpf-cxx-consumers.XXXXXX")
    trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
work=$(cd "$work" && pwd)
prefix=$work/prefix
log=$work/logs
mkdir -p "$log"

passed=0
failed=0
failures=()
ok() { passed=$((passed + 1)); echo "PASS $1"; }
bad() { failed=$((failed + 1)); failures+=("$1"); echo "FAIL $1${2:+: $2}"; }
# In CI (EBPF_CI=1, root, every tool installed) nothing may skip: a skip counts as a failure there.
skip() {
    if [ "${EBPF_CI:-}" = 1 ]; then bad "$1" "skipped in CI: $2"; else echo "SKIP $1: $2"; fi
}
# Runs a command with its output in $log/NAME.log; shows the log's end when it fails.
logged() { # name command...
    local name=$1; shift
    if "$@" >"$log/$name.log" 2>&1; then return 0; fi
    echo "--- $name failed; the end of $log/$name.log:"
    tail -n 30 "$log/$name.log"
    return 1
}
# A fresh copy of one consumer project with the shared sources.
project() { # kind destination
    rm -rf "$2"
    mkdir -p "$2"
    cp "$here/$1"/* "$here/src"/* "$2"/
}

# --- 1. install
install_lib() {
    local b=$work/lib-build
    if [ ! -f "$b/build.ninja" ]; then
        meson setup "$b" "$repo" --prefix="$prefix" -Dtests=disabled -Dtools=disabled -Dexamples=disabled \
            -Dbpf_progs=disabled || return 1
    fi
    ninja -C "$b" -j "$jobs" && rm -rf "$prefix" && meson install -C "$b" --quiet
}
echo "== install into $prefix"
if logged install install_lib; then
    pc=$(find "$prefix" -name ebpf-cxx.pc | head -n 1)
    cmake_cfg=$(find "$prefix" -name ebpf-cxxConfig.cmake | head -n 1)
    missing=()
    [ -f "$prefix/include/ebpf/ebpf.hpp" ] || missing+=(include/ebpf/ebpf.hpp)
    [ -n "$(find "$prefix" -name libebpf-cxx.a)" ] || missing+=(libebpf-cxx.a)
    [ -n "$pc" ] || missing+=(ebpf-cxx.pc)
    [ -n "$cmake_cfg" ] || missing+=(ebpf-cxxConfig.cmake)
    [ -f "${cmake_cfg%Config.cmake}ConfigVersion.cmake" ] || missing+=(ebpf-cxxConfigVersion.cmake)
    # Only public headers: nothing from lib/ may leak into include/.
    leaked=$(grep -rhoE '#include [<"][^>"]+[>"]' "$prefix/include/ebpf" | grep -vE '<(ebpf/|asio)' |
        grep -vE '<[a-z_]+(\.h)?>' | sort -u)
    [ -z "$leaked" ] || missing+=("includes outside the install: $leaked")
    if [ ${#missing[@]} -eq 0 ]; then ok install; else bad install "missing ${missing[*]}"; fi
else
    bad install "meson setup/install (see $log/install.log)"
    pc=
fi
pc_dir=${pc:+$(dirname "$pc")}

# --- 2. builds; each sets bin[name] to the program to run
declare -A bin
build_meson_pkgconfig() {
    local d=$work/meson-pkgconfig
    project meson "$d/src"
    if [ ! -f "$d/build/build.ninja" ]; then PKG_CONFIG_PATH=$pc_dir meson setup "$d/build" "$d/src" || return 1; fi
    # (ninja may reconfigure the copied project: pkg-config must still find the install then.)
    PKG_CONFIG_PATH=$pc_dir ninja -C "$d/build" -j "$jobs" || return 1
    grep -qF -- "-I$prefix/include" "$d/build/build.ninja" ||
        { echo "counter was not compiled against $prefix/include (pkg-config)"; return 1; }
    bin[meson-pkgconfig]=$d/build/counter
}
subproject_tree() { # dir
    project meson "$1/src"
    mkdir -p "$1/src/subprojects"
    ln -sfn "$repo" "$1/src/subprojects/ebpf-cxx"
}
build_meson_subproject() {
    local d=$work/meson-subproject
    subproject_tree "$d"
    # No PKG_CONFIG_PATH: dependency('ebpf-cxx') must fall back to subprojects/ebpf-cxx by itself.
    if [ ! -f "$d/build/build.ninja" ]; then env -u PKG_CONFIG_PATH meson setup "$d/build" "$d/src" || return 1; fi
    grep -q "subprojects/ebpf-cxx" "$d/build/build.ninja" || { echo "ebpf-cxx was not built as a subproject"; return 1; }
    ninja -C "$d/build" -j "$jobs" && bin[meson-subproject]=$d/build/counter
}
zig_prefix=${EBPF_ZIG_PREFIX:-${HOME:-/nonexistent}/.cache/ebpf-cxx/zig}
build_musl_subproject() {
    local d=$work/musl-subproject
    subproject_tree "$d"
    if [ ! -f "$d/build/build.ninja" ]; then
        meson setup "$d/build" "$d/src" --cross-file "$zig_prefix/zig-paths.ini" \
            --cross-file "$repo/tools/cross/x86_64-linux-musl.ini" --buildtype=minsize || return 1
    fi
    ninja -C "$d/build" -j "$jobs" || return 1
    file "$d/build/counter" | grep -q "statically linked" || { echo "not static: $(file "$d/build/counter")"; return 1; }
    bin[musl-subproject]=$d/build/counter
}
build_cmake() {
    local d=$work/cmake
    project cmake "$d/src"
    cmake -S "$d/src" -B "$d/build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release &&
        cmake --build "$d/build" -j "$jobs" || return 1
    grep -rqF "$prefix/" "$d/build/CMakeFiles/counter.dir/link.txt" ||
        { echo "counter was not linked with the library of $prefix (find_package)"; return 1; }
    bin[cmake]=$d/build/counter
}
build_make() {
    local d=$work/make
    project make "$d"
    PKG_CONFIG_PATH=$pc_dir make -C "$d" -j "$jobs" && bin[make]=$d/counter
}

for c in "${consumers[@]}"; do
    echo "== build $c"
    case $c in
    meson-pkgconfig | cmake | make)
        if [ -z "$pc_dir" ]; then bad "build $c" "no install"; continue; fi ;;
    musl-subproject)
        if [ "$(uname -m)" != x86_64 ] || [ ! -x "$zig_prefix/bin/zig" ] || [ ! -f "$zig_prefix/zig-paths.ini" ]; then
            skip "build $c" "zig is not installed in $zig_prefix (tools/cross/setup-zig.sh; x86_64 hosts)"
            continue
        fi ;;
    meson-subproject) ;;
    *) bad "build $c" "unknown consumer (meson-pkgconfig meson-subproject musl-subproject cmake make)"; continue ;;
    esac
    if [ "$c" = cmake ] && ! command -v cmake >/dev/null; then bad "build $c" "cmake is not installed"; continue; fi
    if logged "build-$c" "build_${c//-/_}"; then ok "build $c"; else bad "build $c" "see $log/build-$c.log"; fi
done

# --- 3. runs
for c in "${consumers[@]}"; do
    [ -n "${bin[$c]:-}" ] || continue
    if [ "$(id -u)" != 0 ]; then
        skip "run $c" "loading BPF programs needs root"
        continue
    fi
    if out=$("${bin[$c]}" 2>&1); then ok "run $c: $out"; else bad "run $c" "$out"; fi
done

for f in "${failures[@]+"${failures[@]}"}"; do echo "failed: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
