#!/bin/sh
# ebpf-tool prog/map/link/btf list|show and map dump against bpftool's view of the same kernel objects: bpftool
# loads and pins an object (so the objects live while both tools look), then ids, names, types, tags, map ids and
# BTF ids must agree, and map dump must format the .data section as bpftool does. Exit 77 (skip) without root,
# bpftool or python3, with the reason.
set -u
tool=$1
dir=$2
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (the kernel lists objects to CAP_SYS_ADMIN only)"; exit 77; }
command -v bpftool >/dev/null || { echo "SKIP: bpftool is not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
fails=0
tmp=$(mktemp -d)
pins=/sys/fs/bpf/ebpf_tool_objects_$$
cleanup() { rm -rf "$pins" "${pins}_maps" "${pins}_skel" "${pins}_skel_maps" "$tmp"; }
trap cleanup EXIT INT TERM
check() { # expected-exit description command...
    want=$1; shift; what=$1; shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL: $what: exit $got, expected $want"; cat "$tmp/out" "$tmp/err"; fails=$((fails + 1))
    elif [ "$want" != 0 ] && [ "$(wc -l <"$tmp/err")" != 1 ] && [ "$want" = 1 ]; then
        echo "FAIL: $what: expected one line on stderr"; cat "$tmp/err"; fails=$((fails + 1))
    else
        echo "ok: $what"
    fi
}

# Usage errors and bad input.
check 2 "prog without subcommand" "$tool" prog
check 2 "prog unknown subcommand" "$tool" prog frob
check 2 "prog show without a numeric id" "$tool" prog show abc
check 2 "map list unknown option" "$tool" map list --bogus
check 2 "map dump without a map" "$tool" map dump
check 2 "map dump with two maps" "$tool" map dump 1 --name x
check 1 "prog show unknown id" "$tool" prog show 2147483647
check 1 "map show unknown id" "$tool" map show 2147483647
check 1 "link show unknown id" "$tool" link show 2147483647
check 1 "btf show unknown id" "$tool" btf show 2147483647
check 1 "map dump unknown id" "$tool" map dump 2147483647
check 1 "map dump missing pin" "$tool" map dump --pin /sys/fs/bpf/no_such_pin_$$
check 1 "map dump unknown name" "$tool" map dump --name no_such_map_$$
check 0 "btf list" "$tool" btf list
grep -q 'name vmlinux' "$tmp/out" && echo "ok: btf list shows vmlinux" || { echo "FAIL: btf list lacks vmlinux"; fails=$((fails + 1)); }

# bpftool loads globals.bpf.o and pins its program and maps; both tools then describe the same objects.
if ! bpftool prog loadall "$dir/globals.bpf.o" "$pins" pinmaps "${pins}_maps" 2>"$tmp/err"; then
    echo "SKIP: bpftool cannot load globals.bpf.o here: $(head -1 "$tmp/err")"; exit 77
fi
prog_id=$(bpftool -j prog show pinned "$pins/compute" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
"$tool" prog list --json >"$tmp/ours_progs.json" || { echo "FAIL: prog list --json"; fails=$((fails + 1)); }
"$tool" map list --json >"$tmp/ours_maps.json" || { echo "FAIL: map list --json"; fails=$((fails + 1)); }
"$tool" prog show "$prog_id" --json >"$tmp/ours_prog.json" || { echo "FAIL: prog show"; fails=$((fails + 1)); }
"$tool" prog list >/dev/null || { echo "FAIL: prog list (text)"; fails=$((fails + 1)); }
"$tool" map list >/dev/null || { echo "FAIL: map list (text)"; fails=$((fails + 1)); }
"$tool" link list --json >/dev/null || { echo "FAIL: link list --json"; fails=$((fails + 1)); }
bpftool -j prog show >"$tmp/theirs_progs.json"
bpftool -j map show >"$tmp/theirs_maps.json"
if python3 - "$prog_id" "$tmp" <<'EOF_PY'
import json, subprocess, sys
prog_id, tmp = int(sys.argv[1]), sys.argv[2]
load = lambda n: json.load(open(f"{tmp}/{n}.json"))
ours_progs = {p["id"]: p for p in load("ours_progs")}
theirs_progs = {p["id"]: p for p in load("theirs_progs")}
ours_maps = {m["id"]: m for m in load("ours_maps")}
theirs_maps = {m["id"]: m for m in load("theirs_maps")}
bad = []
def same(what, ours, theirs, keys):
    for ours_key, their_key in keys:
        if ours.get(ours_key) != theirs.get(their_key):
            bad.append(f"{what} ({ours.get('name')}): {ours_key}: ebpf-tool {ours.get(ours_key)!r}, bpftool {theirs.get(their_key)!r}")
if prog_id not in ours_progs:
    bad.append(f"program {prog_id} missing from ebpf-tool prog list")
else:
    p, t = ours_progs[prog_id], theirs_progs[prog_id]
    same(f"program {prog_id}", p, t, [("id", "id"), ("name", "name"), ("type", "type"), ("tag", "tag"),
                                        ("uid", "uid"), ("btf_id", "btf_id"), ("bytes_xlated", "bytes_xlated"),
                                        ("gpl_compatible", "gpl_compatible")])
    if sorted(p["map_ids"]) != sorted(t.get("map_ids", [])):
        bad.append(f"program {prog_id}: map_ids {p['map_ids']} vs {t.get('map_ids')}")
    if abs(p["loaded_at"] - t["loaded_at"]) > 2:
        bad.append(f"program {prog_id}: loaded_at {p['loaded_at']} vs {t['loaded_at']}")
    if load("ours_prog") != p:
        bad.append("prog show differs from the prog list entry")
    for m in p["map_ids"]:
        if m not in ours_maps:
            bad.append(f"map {m} missing from ebpf-tool map list"); continue
        # One map at a time: bpftool 7.1's listing carries a btf_id over from the previous map to maps without BTF.
        theirs_one = json.loads(subprocess.run(["bpftool", "-j", "map", "show", "id", str(m)], check=True,
                                               capture_output=True, text=True).stdout)
        same(f"map {m}", ours_maps[m], theirs_one, [("id", "id"), ("name", "name"), ("type", "type"),
             ("bytes_key", "bytes_key"), ("bytes_value", "bytes_value"), ("max_entries", "max_entries"),
             ("flags", "flags"), ("btf_id", "btf_id")])
# Every object both list (others may come and go meanwhile) agrees on id, name and type.
for ours, theirs, what in ((ours_progs, theirs_progs, "program"), (ours_maps, theirs_maps, "map")):
    for i in set(ours) & set(theirs):
        same(f"{what} {i}", ours[i], theirs[i], [("name", "name"), ("type", "type")])
for line in bad:
    print(line)
print(f"compared program {prog_id}, {len(set(ours_progs) & set(theirs_progs))} programs and "
      f"{len(set(ours_maps) & set(theirs_maps))} maps both tools list")
sys.exit(1 if bad else 0)
EOF_PY
then echo "ok: prog/map list --json agree with bpftool"
else echo "FAIL: prog/map list --json disagree with bpftool"; fails=$((fails + 1)); fi

# map dump: the .data section formatted by BTF, as bpftool formats it.
data_pin=$(ls "${pins}_maps" | grep 'data$' | grep -v custom | head -1)
if [ -z "$data_pin" ]; then
    echo "FAIL: bpftool pinned no .data map"; ls "${pins}_maps"; fails=$((fails + 1))
else
    "$tool" map dump --json --pin "${pins}_maps/$data_pin" >"$tmp/ours_dump.json" || { echo "FAIL: map dump --pin"; fails=$((fails + 1)); }
    bpftool -j map dump pinned "${pins}_maps/$data_pin" >"$tmp/theirs_dump.json"
    if python3 - "$tmp" <<'EOF_PY'
import json, sys
tmp = sys.argv[1]
ours = json.load(open(f"{tmp}/ours_dump.json"))
theirs = json.load(open(f"{tmp}/theirs_dump.json"))
def flat(v):  # bpftool writes a DATASEC as a list of one-member objects
    if isinstance(v, list) and all(isinstance(e, dict) and len(e) == 1 for e in v):
        return {k: x for e in v for k, x in e.items()}
    return v
theirs_values = []
for e in theirs:
    v = e["formatted"]["value"]
    if isinstance(v, dict) and len(v) == 1 and isinstance(next(iter(v.values())), list):
        v = flat(next(iter(v.values())))  # {".data": [{"data_add": 5}, ...]}
    theirs_values.append(v)
ours_values = [e["value"] for e in ours]
print("ebpf-tool:", ours)
print("bpftool:  ", theirs_values)
ok = ours_values == theirs_values and ours and ours[0]["key"] == 0 and ours[0]["value"].get("data_add") == 5
sys.exit(0 if ok else 1)
EOF_PY
    then echo "ok: map dump of .data agrees with bpftool (data_add = 5)"
    else echo "FAIL: map dump of .data differs from bpftool"; fails=$((fails + 1)); fi
    check 0 "map dump (text)" "$tool" map dump --pin "${pins}_maps/$data_pin"
    grep -q '"data_add":5' "$tmp/out" && echo "ok: text dump names data_add" || { echo "FAIL: text dump"; cat "$tmp/out"; fails=$((fails + 1)); }
fi

# map dump of struct keys and values (skeleton_demo.bpf.o's `calls`: struct call_key -> struct call_stats with an
# anonymous union), an entry written by bpftool, compared with bpftool's formatting (its "" key for the anonymous
# union flattened, as ebpf-tool writes it).
if [ -e "$dir/skeleton_demo.bpf.o" ] && bpftool prog loadall "$dir/skeleton_demo.bpf.o" "${pins}_skel" pinmaps "${pins}_skel_maps" 2>"$tmp/err"; then
    calls="${pins}_skel_maps/calls"
    bpftool map update pinned "$calls" key hex 07 00 00 00 01 00 02 00 \
        value hex 05 00 00 00 00 00 00 00 fd ff ff ff 73 6b 65 6c 01 00 00 00 00 00 00 00
    "$tool" map dump --json --pin "$calls" >"$tmp/ours_calls.json" || { echo "FAIL: map dump calls"; fails=$((fails + 1)); }
    bpftool -j map dump pinned "$calls" >"$tmp/theirs_calls.json"
    if python3 - "$tmp" <<'EOF_PY'
import json, sys
tmp = sys.argv[1]
ours = json.load(open(f"{tmp}/ours_calls.json"))
theirs = json.load(open(f"{tmp}/theirs_calls.json"))
def flatten(v):
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if k == "" and isinstance(x, dict):
                out.update(flatten(x))
            else:
                out[k] = flatten(x)
        return out
    return v
theirs = [{"key": e["formatted"]["key"], "value": flatten(e["formatted"]["value"])} for e in theirs]
print("ebpf-tool:", ours)
print("bpftool:  ", theirs)
sys.exit(0 if ours == theirs and ours[0]["value"]["bias"] == -3 else 1)
EOF_PY
    then echo "ok: map dump of a struct-keyed map agrees with bpftool"
    else echo "FAIL: map dump of a struct-keyed map differs from bpftool"; fails=$((fails + 1)); fi
    rm -rf "${pins}_skel" "${pins}_skel_maps"
else
    echo "FAIL: bpftool cannot load skeleton_demo.bpf.o: $(head -1 "$tmp/err")"; fails=$((fails + 1))
fi
[ "$fails" = 0 ]
