#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ebpf-cxx against libbpf, measured in the same run (meson benchmark / tools/bench).

  btf   parse the kernel's BTF and look up 1000 struct names: ebpf-tool bench btf vs libbpf_btf_bench.c
  load  user-space CPU of loading every program of every test object one by one:
        ebpf-tool load --each --json vs libbpf_ref.c (the same JSON lines)

The libbpf side is built from ../shared/tools with the system libbpf (libbpf-dev); without it, or without root
for 'load', that comparison is skipped with a reason. Prints a table and 'ratio' lines (ours / libbpf).
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


def build_ref(src_dir, name, out_dir):
    src = os.path.join(src_dir, name + ".c")
    out = os.path.join(out_dir, name)
    if not os.path.exists(src):
        return None, f"{src} not found"
    if not os.path.exists("/usr/include/bpf/libbpf.h"):
        return None, "libbpf-dev is not installed"
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(src):
        r = subprocess.run(["cc", "-O2", src, "-o", out, "-lbpf"], capture_output=True, text=True)
        if r.returncode:
            return None, r.stderr.strip()
    return out, None


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
    ours_cpu, ours = total([tool, "load", "--each", "--json"] + objects)
    ok = sum(1 for l in ours if l.get("ok"))
    print(f"ebpf-cxx load: {len(ours)} programs ({ok} loaded), user CPU {ours_cpu * 1e3:.1f} ms (best of {rounds})")
    if not ref:
        return
    ref_cpu, theirs = total([ref] + objects)
    ok_ref = sum(1 for l in theirs if l.get("ok"))
    print(f"libbpf   load: {len(theirs)} programs ({ok_ref} loaded), user CPU {ref_cpu * 1e3:.1f} ms (best of {rounds})")
    ratio = ours_cpu / ref_cpu if ref_cpu > 0 else float("inf")
    print(f"ratio load.user_cpu = {ratio:.3f} (target <= 0.5) {'ok' if ratio <= 0.5 else 'ABOVE TARGET'}")


def main():
    if len(sys.argv) < 4:  # (checked again after options are removed)
        print("usage: bench.py [--static-tool EBPF_TOOL] EBPF_TOOL BPF_PROGS_DIR SHARED_TOOLS_DIR [btf|load]...",
              file=sys.stderr)
        return 2
    args = sys.argv[1:]
    static_tool = None
    if "--static-tool" in args:
        i = args.index("--static-tool")
        static_tool = args[i + 1]
        del args[i:i + 2]
    tool, progs, shared = args[0:3]
    which = args[3:] or ["btf", "load"]
    out_dir = os.path.join(os.path.dirname(os.path.abspath(tool)), "bench-ref")
    os.makedirs(out_dir, exist_ok=True)
    if "btf" in which:
        ref, why = build_ref(shared, "libbpf_btf_bench", out_dir)
        if why:
            print(f"libbpf btf comparison skipped: {why}")
        bench_btf(tool, ref, 15, static_tool)
    if "load" in which:
        if os.geteuid() != 0:
            print("load benchmark skipped: needs root")
            return 0
        objects = sorted(glob.glob(os.path.join(progs, "*.bpf.o")))
        ref, why = build_ref(shared, "libbpf_ref", out_dir)
        if why:
            print(f"libbpf load comparison skipped: {why}")
        bench_load(tool, ref, objects, 3)
    return 0


if __name__ == "__main__":
    sys.exit(main())
