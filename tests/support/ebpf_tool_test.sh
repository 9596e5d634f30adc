#!/bin/sh
# ebpf-tool contract: exit codes (0 ok, 1 failure, 2 usage), JSON keys, and identical output for objects built
# for either byte order.
set -u
tool=$1
dir=$2
fails=0
check() { # expected-exit description command...
    want=$1; shift; what=$1; shift
    "$@" >/tmp/ebpf-tool-test.$$ 2>&1
    got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL: $what: exit $got, expected $want"; cat /tmp/ebpf-tool-test.$$; fails=$((fails + 1))
    else
        echo "ok: $what"
    fi
}
check 2 "no command" "$tool"
check 2 "unknown command" "$tool" frobnicate
check 2 "inspect without object" "$tool" inspect
check 2 "inspect unknown option" "$tool" inspect --bogus "$dir/globals.bpf.o"
check 1 "inspect missing file" "$tool" inspect /nonexistent.o
check 1 "inspect non-ELF" "$tool" inspect /etc/passwd
check 0 "inspect" "$tool" inspect "$dir/globals.bpf.o"
check 0 "help" "$tool" --help
# Objects whose C code compiles to different instructions per byte order (byte swaps that are no-ops on big-endian,
# libbpf's BPF_CORE_READ_BITFIELD_PROBED reading big-endian bitfields with one more relocation, usdt.bpf.h's
# big-endian-only shift whose source line also lands in the BTF strings): their instruction-derived counts and BTF
# string sizes are not compared, everything else is.
endian_dependent=" core_flavors core_skb core_task net_parse usdt_args "
counts='s/"\(instructions\|core_relocations\|line_info\|strings_size\)":[0-9]*/"\1":N/g'
for f in "$dir"/*.bpf.o; do
    base=${f%.bpf.o}
    "$tool" inspect --json "$f" >/tmp/ebpf-tool-el.$$ || { echo "FAIL: inspect --json $f"; fails=$((fails + 1)); }
    "$tool" inspect --json "$base.bpfeb.o" >/tmp/ebpf-tool-eb.$$ || { echo "FAIL: inspect --json $base.bpfeb.o"; fails=$((fails + 1)); }
    case $endian_dependent in *" $(basename "$base") "*)
        sed -i "$counts" /tmp/ebpf-tool-el.$$ /tmp/ebpf-tool-eb.$$ ;;
    esac
    if cmp -s /tmp/ebpf-tool-el.$$ /tmp/ebpf-tool-eb.$$; then echo "ok: $(basename "$base") el == eb"
    else echo "FAIL: $(basename "$base"): little- and big-endian inspect differ"; diff /tmp/ebpf-tool-el.$$ /tmp/ebpf-tool-eb.$$ | head; fails=$((fails + 1)); fi
    for key in '"programs":' '"maps":' '"globals":' '"btf":' '"instructions":' '"section":'; do
        grep -q "$key" /tmp/ebpf-tool-el.$$ || { echo "FAIL: $f: JSON lacks $key"; fails=$((fails + 1)); }
    done
done
if [ "$(id -u)" = 0 ]; then
    check 0 "load globals" "$tool" load "$dir/globals.bpf.o"
    check 1 "load rejected program" "$tool" load "$dir/bad_verifier.bpf.o"
    check 1 "load unknown program" "$tool" load --program nope "$dir/globals.bpf.o"
    check 2 "load bad log level" "$tool" load --log-level x "$dir/globals.bpf.o"
    "$tool" load "$dir/bad_verifier.bpf.o" 2>&1 | grep -q 'R6 !read_ok' && echo "ok: verifier log printed" || { echo "FAIL: verifier log missing"; fails=$((fails + 1)); }
fi
rm -f /tmp/ebpf-tool-test.$$ /tmp/ebpf-tool-el.$$ /tmp/ebpf-tool-eb.$$
[ "$fails" = 0 ]
