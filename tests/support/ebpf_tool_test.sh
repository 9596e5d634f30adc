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
check 0 "inspect --help" "$tool" inspect --help
check 2 "inspect --program without NAME" "$tool" inspect "$dir/calls.bpf.o" --program
check 1 "inspect --program unknown" "$tool" inspect --disasm --program nope "$dir/calls.bpf.o"
# expect_output DESCRIPTION PATTERN COMMAND...: exit 0 and a line of stdout matching the grep -E PATTERN.
expect_output() {
    what=$1; shift; pattern=$1; shift
    if "$@" >/tmp/ebpf-tool-out.$$ 2>&1 && grep -qE -- "$pattern" /tmp/ebpf-tool-out.$$; then echo "ok: $what"
    else echo "FAIL: $what: no line matching '$pattern' (exit $?)"; head -50 /tmp/ebpf-tool-out.$$; fails=$((fails + 1)); fi
}
# --disasm: subprogram labels and calls by name, source lines, map loads by map name, helpers and kfuncs by name.
for f in calls.bpf.o calls.bpfeb.o; do
    expect_output "disasm $f: subprogram label" '^add_square:$' "$tool" inspect --disasm "$dir/$f"
    expect_output "disasm $f: call by subprogram name" '^ +[0-9]+: call pc\+[0-9]+ <add_square>$' "$tool" inspect --disasm "$dir/$f"
    expect_output "disasm $f: callback address" '= func pc\+[0-9]+ <loop_step> ll$' "$tool" inspect --disasm "$dir/$f"
    expect_output "disasm $f: line_info comment" '^; ctx->out = add_square' "$tool" inspect --disasm "$dir/$f"
    expect_output "disasm $f: global data by section" '= map_value\[\.bss\] \+ 0 ll$' "$tool" inspect --disasm "$dir/$f"
done
expect_output "disasm: map load by name" '^ +[0-9]+: r[0-9] = map\[[a-z_]+\] ll$' "$tool" inspect --disasm "$dir/maps.bpf.o"
expect_output "disasm: helper by name" ': call bpf_map_lookup_elem#1$' "$tool" inspect --disasm "$dir/maps.bpf.o"
expect_output "disasm: kfunc by name" ': call kfunc bpf_[a-z_]+$' "$tool" inspect --disasm "$dir/externs.bpf.o"
expect_output "disasm: kconfig extern by name" '= kconfig\[LINUX_KERNEL_VERSION\] ll$' "$tool" inspect --disasm "$dir/externs.bpf.o"
expect_output "disasm --program" '^disassembly of second ' "$tool" inspect --disasm --program second "$dir/calls.bpf.o"
if "$tool" inspect --disasm --program second "$dir/calls.bpf.o" | grep -q '^disassembly of first '; then
    echo "FAIL: --program second also shows first"; fails=$((fails + 1))
else echo "ok: --program selects"; fi
# --relocations: CO-RE records with their access string and its spelling; map relocations by map.
expect_output "relocations: CO-RE access string" 'core +byte_off +struct task_struct +"0:[0-9]+" +struct task_struct\.pid$' "$tool" inspect --relocations "$dir/core_task.bpf.o"
expect_output "relocations: map" '^  insn +[0-9]+  map +[a-z_]+$' "$tool" inspect --relocations "$dir/maps.bpf.o"
expect_output "relocations: kfunc extern" 'extern +bpf_[a-z_]+ \(kfunc' "$tool" inspect --relocations "$dir/externs.bpf.o"
# An object that parses but cannot load: inspect lists why (exit 0); load refuses it with one line on stderr.
expect_output "inspect lists problems" "^  extern 'unresolvable_func' is not declared in .kconfig or .ksyms" \
    "$tool" inspect "$dir/inspect_problems.bpf.o"
expect_output "inspect: unknown section" "^  program 'in_unknown_section' is in section 'no_such_program_type'" \
    "$tool" inspect "$dir/inspect_problems.bpf.o"
expect_output "inspect: unknown map type" "^  map 'odd_map' has type 250" "$tool" inspect "$dir/inspect_problems.bpf.o"
expect_output "disasm: unresolved extern call" ': call extern unresolvable_func <unresolved>$' \
    "$tool" inspect --disasm "$dir/inspect_problems.bpf.o"
"$tool" load "$dir/inspect_problems.bpf.o" >/dev/null 2>/tmp/ebpf-tool-err.$$
rc=$?
if [ "$rc" = 1 ] && [ "$(wc -l </tmp/ebpf-tool-err.$$)" = 1 ] && grep -q "extern 'something_unresolvable' is not declared" /tmp/ebpf-tool-err.$$; then
    echo "ok: load of an unresolvable extern: exit 1, one line"
else echo "FAIL: load of an unresolvable extern: exit $rc"; cat /tmp/ebpf-tool-err.$$; fails=$((fails + 1)); fi
# Every object's --json --disasm --relocations (valid JSON, both fields, no invalid instruction), and llvm-objdump
# as the reference when installed: the same instruction kinds at the same indexes.
if command -v python3 >/dev/null; then
    objdump=-
    for o in llvm-objdump-19 llvm-objdump-14 llvm-objdump; do command -v "$o" >/dev/null && { objdump=$o; break; }; done
    if python3 "$(dirname "$0")/check_disasm.py" "$tool" "$objdump" "$dir"/*.bpf.o "$dir"/*.bpfeb.o >/tmp/ebpf-tool-out.$$ 2>&1
    then echo "ok: disasm of every object ($(tail -1 /tmp/ebpf-tool-out.$$))"
    else echo "FAIL: disasm"; cat /tmp/ebpf-tool-out.$$; fails=$((fails + 1)); fi
fi
# Objects whose C code compiles to different instructions per byte order (byte swaps that are no-ops on big-endian,
# libbpf's BPF_CORE_READ_BITFIELD_PROBED reading big-endian bitfields with one more relocation, usdt.bpf.h's
# big-endian-only shift whose source line also lands in the BTF strings; ebpf_log.h's byte-sized header and tag
# stores, which clang merges into wider stores differently per byte order): their instruction-derived counts and BTF
# string sizes are not compared, everything else is. (The networking objects swap bytes for ports and protocols.)
endian_dependent=" core_flavors core_skb core_task net_parse usdt_args log_example log_test xdp_net tc_net netns_net "
# uprobes and USDT (usdt.bpf.h again).
endian_dependent="$endian_dependent usdt_test uprobe_example uprobe_run "
# Cgroup hooks and socket programs (ports in network byte order).
endian_dependent="$endian_dependent cgroup_hooks socket_progs "
counts='s/"\(instructions\|core_relocations\|line_info\|strings_size\)":[0-9]*/"\1":N/g'
# Halves of a statically linked object: link_a uses an extern map and functions only link_b defines, so it is not
# an object on its own (tests/support/ebpf_tool_link_test.sh inspects the linked result).
link_halves=" link_a "
for f in "$dir"/*.bpf.o; do
    base=${f%.bpf.o}
    case $link_halves in *" $(basename "$base") "*) continue ;; esac
    "$tool" inspect --json "$f" >/tmp/ebpf-tool-el.$$ || { echo "FAIL: inspect --json $f"; fails=$((fails + 1)); }
    "$tool" inspect --json "$base.bpfeb.o" >/tmp/ebpf-tool-eb.$$ || { echo "FAIL: inspect --json $base.bpfeb.o"; fails=$((fails + 1)); }
    case $endian_dependent in *" $(basename "$base") "*)
        sed -i "$counts" /tmp/ebpf-tool-el.$$ /tmp/ebpf-tool-eb.$$ ;;
    esac
    if cmp -s /tmp/ebpf-tool-el.$$ /tmp/ebpf-tool-eb.$$; then echo "ok: $(basename "$base") el == eb"
    else echo "FAIL: $(basename "$base"): little- and big-endian inspect differ"; diff /tmp/ebpf-tool-el.$$ /tmp/ebpf-tool-eb.$$ | head; fails=$((fails + 1)); fi
    for key in '"programs":' '"maps":' '"globals":' '"btf":' '"instructions":' '"section":' '"problems":'; do
        grep -q "$key" /tmp/ebpf-tool-el.$$ || { echo "FAIL: $f: JSON lacks $key"; fails=$((fails + 1)); }
    done
done
if command -v python3 >/dev/null; then
    "$tool" inspect --json "$dir/inspect_problems.bpf.o" | python3 -c "
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if len(d['problems']) == 4 and {e['kind'] for e in d['externs']} == {'unresolved'} else 1)" &&
        echo "ok: inspect --json lists problems" || { echo "FAIL: inspect --json problems"; fails=$((fails + 1)); }
    "$tool" inspect --json --disasm --relocations "$dir/core_task.bpf.o" | python3 -m json.tool >/dev/null &&
        echo "ok: json.tool parses --disasm --relocations" || { echo "FAIL: json.tool"; fails=$((fails + 1)); }
fi
if [ "$(id -u)" = 0 ]; then
    check 0 "load globals" "$tool" load "$dir/globals.bpf.o"
    check 1 "load rejected program" "$tool" load "$dir/bad_verifier.bpf.o"
    check 1 "load unknown program" "$tool" load --program nope "$dir/globals.bpf.o"
    check 2 "load bad log level" "$tool" load --log-level x "$dir/globals.bpf.o"
    "$tool" load "$dir/bad_verifier.bpf.o" 2>&1 | grep -q 'R6 !read_ok' && echo "ok: verifier log printed" || { echo "FAIL: verifier log missing"; fails=$((fails + 1)); }
fi
# features: the probe families as JSON, forced answers through EBPF_CXX_PROBE_OVERRIDE, a one-line error without
# privilege, and the same program and map types as bpftool's probes.
check 2 "features unknown option" "$tool" features --bogus
json=/tmp/ebpf-tool-features.$$
if [ "$(id -u)" = 0 ]; then
    check 0 "features (text)" "$tool" features
    grep -q '^program types' /tmp/ebpf-tool-test.$$ || { echo "FAIL: features text lacks 'program types'"; fails=$((fails + 1)); }
    if command -v python3 >/dev/null; then
        # json_check FILE PYTHON-EXPRESSION DESCRIPTION: the expression over d (the parsed JSON) must be true.
        json_check() {
            if python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"; then
                echo "ok: $3"
            else
                echo "FAIL: $3"; head -c 2000 "$1"; echo; fails=$((fails + 1))
            fi
        }
        "$tool" features --json >"$json" || { echo "FAIL: features --json"; fails=$((fails + 1)); }
        json_check "$json" "set(d) == {'program_types', 'map_types', 'links', 'features', 'errors'}" "features --json families"
        json_check "$json" "d['program_types']['xdp'] is True and d['program_types']['socket_filter'] is True" "features: xdp programs"
        json_check "$json" "d['map_types']['hash'] is True and d['map_types']['ringbuf'] is True" "features: hash and ringbuf maps"
        json_check "$json" "d['links']['cgroup_inet_ingress'] is True and d['links']['xdp'] is True" "features: cgroup and xdp links"
        json_check "$json" "d['features']['btf'] is True and 'array_mmap' in d['features']" "features: misc features"
        json_check "$json" "all(v is None for k, v in d['links'].items() if 'link:' + k in d['errors'])" "features: errors explain the nulls"
        "$tool" features --json --helpers >"$json" || { echo "FAIL: features --json --helpers"; fails=$((fails + 1)); }
        json_check "$json" "'map_lookup_elem' in d['helpers']['xdp'] and 'sys_bpf' not in d['helpers']['xdp']" "features --helpers: xdp helpers"
        EBPF_CXX_PROBE_OVERRIDE='map:hash=0, prog:xdp=0,link:cgroup_inet_ingress=0' "$tool" features --json >"$json"
        json_check "$json" "d['map_types']['hash'] is False and d['program_types']['xdp'] is False and d['links']['cgroup_inet_ingress'] is False and d['map_types']['array'] is True" "features: EBPF_CXX_PROBE_OVERRIDE forces answers"
        # bpftool's view: program and map types both tools know must agree.
        if command -v bpftool >/dev/null && bpftool feature probe kernel --json >"$json.bpftool" 2>/dev/null; then
            "$tool" features --json >"$json"
            if python3 - "$json" "$json.bpftool" <<'EOF'
import json, sys
ours, theirs = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
bad = []
for family, suffix in (("program_types", "_prog_type"), ("map_types", "_map_type")):
    for key, value in theirs.get(family, {}).items():
        name = key[len("have_"):-len(suffix)]
        if name in ours[family] and ours[family][name] != value:
            bad.append(f"{family}.{name}: ebpf-tool {ours[family][name]}, bpftool {value}")
for line in bad:
    print(line)
sys.exit(1 if bad else 0)
EOF
            then echo "ok: features agree with bpftool feature probe (program and map types)"
            else echo "FAIL: features disagree with bpftool"; fails=$((fails + 1)); fi
        fi
    fi
    # Without capabilities: exit 1 and one line on stderr.
    if command -v setpriv >/dev/null; then
        setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
            "$tool" features --json >/dev/null 2>"$json.err"
        rc=$?
        if [ "$rc" = 1 ] && [ "$(wc -l <"$json.err")" = 1 ] && grep -q 'not permitted' "$json.err"; then
            echo "ok: features without privilege: exit 1, one line"
        else echo "FAIL: features without privilege: exit $rc"; cat "$json.err"; fails=$((fails + 1)); fi
    fi
else
    check 1 "features without root" "$tool" features --json
fi
check 1 "features with a malformed EBPF_CXX_PROBE_OVERRIDE" env EBPF_CXX_PROBE_OVERRIDE=map:no_such_map=0 "$tool" features
rm -f "$json" "$json.bpftool" "$json.err"
rm -f /tmp/ebpf-tool-test.$$ /tmp/ebpf-tool-el.$$ /tmp/ebpf-tool-eb.$$ /tmp/ebpf-tool-out.$$ /tmp/ebpf-tool-err.$$
[ "$fails" = 0 ]
