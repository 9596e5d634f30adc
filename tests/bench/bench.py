#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ebpf-cxx against libbpf, measured in the same run (meson benchmark / tools/bench).

  btf   parse the kernel's BTF and look up 1000 struct names: ebpf-tool bench btf vs libbpf_btf_bench.c
  load  user-space CPU of loading every program of every test object one by one:
        ebpf-tool load --each --json vs libbpf_ref.c (the same JSON lines)
  ringbuf  ring buffer consume, 8- and 256-byte records: ebpf-tool bench ringbuf vs libbpf_ringbuf_bench.c
  perfbuf  perf buffer consume, 8- and 256-byte samples: ebpf-tool bench perfbuf vs libbpf_perfbuf_bench.c

The libbpf side is the reference harnesses tests/compat/libbpf_btf_bench and tests/compat/libbpf_ref, which meson
builds with the system libbpf (libbpf-dev); without them, or without root for 'load', that comparison is skipped
with a reason. Prints a table and 'ratio' lines (ours / libbpf).
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile


def reference(path, missing):
    """(path, None) for a built harness, else (None, why)."""
    if not path:
        return None, missing or "the libbpf reference harness was not built"
    if not os.access(path, os.X_OK):
        return None, f"{path} is not built (ninja -C BUILD {os.path.basename(path)})"
    return path, None


def run_rusage(cmd):
    """Runs cmd, returns (stdout, user CPU seconds of the tree, max RSS KiB).

    The command runs under "sh -c 'cmd; exit'" so it is forked from a small shell, not from this Python process:
    Linux carries ru_maxrss across exec from the exec'ing image, and a tool started straight from Python would
    report Python's size as its own peak."""
    cmd = ["sh", "-c", '"$@"; exit $?', "sh"] + list(cmd)
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        out.seek(0)
        text = out.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{cmd[4]} exited with {os.waitstatus_to_exitcode(status)}")
    return text, ru.ru_utime, ru.ru_maxrss


def parse_kv(line):
    return {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", line)}


def bench_btf(tool, ref, runs, static_tool=None):
    ours_out, _, _ = run_rusage([tool, "bench", "btf", str(runs)])
    ours = parse_kv(ours_out.strip().splitlines()[-1])
    print(f"ebpf-cxx btf: parse_ms={ours['parse_ms']:.3f} lookup_ns={ours['lookup_ns']:.0f} rss_kb={ours['rss_kb']:.0f}")
    if static_tool:
        # What users ship: a static musl binary has no shared-library pages in its RSS.
        st_out, _, _ = run_rusage([static_tool, "bench", "btf", str(runs)])
        st = parse_kv(st_out.strip().splitlines()[-1])
        print(f"ebpf-cxx btf (static musl): parse_ms={st['parse_ms']:.3f} lookup_ns={st['lookup_ns']:.0f} "
              f"rss_kb={st['rss_kb']:.0f}")
        ours["rss_kb"] = st["rss_kb"]
    if not ref:
        return
    ref_out, _, _ = run_rusage([ref, str(runs)])
    theirs = parse_kv(ref_out.strip().splitlines()[-1])
    print(f"libbpf   btf: parse_ms={theirs['parse_ms']:.3f} lookup_ns={theirs['lookup_ns']:.0f} "
          f"rss_kb={theirs['rss_kb']:.0f}")
    for key, target in (("parse_ms", 0.5), ("lookup_ns", 0.05), ("rss_kb", 0.1)):
        ratio = ours[key] / theirs[key]
        verdict = "ok" if ratio <= target else "ABOVE TARGET"
        print(f"ratio btf.{key} = {ratio:.3f} (target <= {target}) {verdict}")


def bench_load(tool, ref, objects, rounds):
    def total(cmd):
        best = None
        lines = []
        for _ in range(rounds):
            out, user, _ = run_rusage(cmd)
            lines = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
            best = user if best is None else min(best, user)
        return best, lines
    # Maps pinned by name (maps.bpf.o) go to private bpffs directories, removed afterwards.
    with open("/proc/mounts") as m:
        if not any(line.split()[1:3] == ["/sys/fs/bpf", "bpf"] for line in m):
            subprocess.run(["mount", "-t", "bpf", "bpf", "/sys/fs/bpf"], stderr=subprocess.DEVNULL)
    pin_roots = [tempfile.mkdtemp(prefix="ebpf-cxx-bench-", dir="/sys/fs/bpf") for _ in range(2)]
    try:
        ours_cpu, ours = total([tool, "load", "--each", "--json", "--pin-root", pin_roots[0]] + objects)
        ok = sum(1 for l in ours if l.get("ok"))
        print(f"ebpf-cxx load: {len(ours)} programs ({ok} loaded), user CPU {ours_cpu * 1e3:.1f} ms "
              f"(best of {rounds})")
        if not ref:
            return
        ref_cpu, theirs = total([ref, "--pin-root", pin_roots[1]] + objects)
    finally:
        for pin_root in pin_roots:
            for name in os.listdir(pin_root):
                os.unlink(os.path.join(pin_root, name))
            os.rmdir(pin_root)
    ok_ref = sum(1 for l in theirs if l.get("ok"))
    print(f"libbpf   load: {len(theirs)} programs ({ok_ref} loaded), user CPU {ref_cpu * 1e3:.1f} ms (best of {rounds})")
    ratio = ours_cpu / ref_cpu if ref_cpu > 0 else float("inf")
    print(f"ratio load.user_cpu = {ratio:.3f} (target <= 0.5) {'ok' if ratio <= 0.5 else 'ABOVE TARGET'}")


def bench_events(kind, tool, ref, progs):
    """Events per second, ours and libbpf's, on the same producer object; the target is a minimum ratio."""
    target = 1.2 if kind == "ringbuf" else 1.0
    obj = os.path.join(progs, f"{kind}_bench.bpf.o")
    for size in (8, 256):
        ours_out, _, _ = run_rusage([tool, "bench", kind, "--size", str(size), "--object", obj])
        ours = parse_kv(ours_out.strip().splitlines()[-1])
        print(f"ebpf-cxx {kind} {size:3d} B: {ours['events_per_s'] / 1e6:.1f} M events/s "
              f"({ours['ns_per_event']:.2f} ns/event)")
        if not ref:
            continue
        ref_out, _, _ = run_rusage([ref, obj, str(size)])
        theirs = parse_kv(ref_out.strip().splitlines()[-1])
        print(f"libbpf   {kind} {size:3d} B: {theirs['events_per_s'] / 1e6:.1f} M events/s "
              f"({theirs['ns_per_event']:.2f} ns/event)")
        ratio = ours["events_per_s"] / theirs["events_per_s"]
        verdict = "ok" if ratio >= target else "BELOW TARGET"
        print(f"ratio {kind}.events_per_s.{size} = {ratio:.3f} (target >= {target}) {verdict}")


def main():
    usage = ("usage: bench.py [--static-tool EBPF_TOOL] [--libbpf-ref PATH] [--libbpf-btf-bench PATH] "
             "[--libbpf-ringbuf-bench PATH] [--libbpf-perfbuf-bench PATH] [--missing WHY] EBPF_TOOL BPF_PROGS_DIR "
             "[btf|load|ringbuf|perfbuf]...")
    args = sys.argv[1:]
    opts = {"--static-tool": None, "--libbpf-ref": "", "--libbpf-btf-bench": "", "--libbpf-ringbuf-bench": "",
            "--libbpf-perfbuf-bench": "", "--missing": ""}
    for name in opts:
        if name in args:
            i = args.index(name)
            if i + 1 >= len(args):
                print(usage, file=sys.stderr)
                return 2
            opts[name] = args[i + 1]
            del args[i:i + 2]
    if len(args) < 2:
        print(usage, file=sys.stderr)
        return 2
    tool, progs = args[0:2]
    which = args[2:] or ["btf", "load", "ringbuf", "perfbuf"]
    missing = opts["--missing"]
    if "btf" in which:
        ref, why = reference(opts["--libbpf-btf-bench"], missing)
        if why:
            print(f"libbpf btf comparison skipped: {why}")
        bench_btf(tool, ref, 15, opts["--static-tool"])
    if "load" in which:
        if os.geteuid() != 0:
            print("load benchmark skipped: needs root")
            return 0
        objects = sorted(glob.glob(os.path.join(progs, "*.bpf.o")))
        ref, why = reference(opts["--libbpf-ref"], missing)
        if why:
            print(f"libbpf load comparison skipped: {why}")
        bench_load(tool, ref, objects, 3)
    for kind in ("ringbuf", "perfbuf"):
        if kind not in which:
            continue
        if os.geteuid() != 0:
            print(f"{kind} benchmark skipped: needs root")
            continue
        ref, why = reference(opts[f"--libbpf-{kind}-bench"], missing)
        if why:
            print(f"libbpf {kind} comparison skipped: {why}")
        bench_events(kind, tool, ref, progs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
