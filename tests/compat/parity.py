#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# libbpf parity on every bpf-progs object (meson tests 'libbpf-parity-load' and 'libbpf-parity-insns', suite 'kernel').
#
#   load:  `ebpf-tool load --each --json` against tests/compat/libbpf_ref (this project's C harness, built by meson
#          with the system libbpf): the same (object, program, section) lines and the same ok/err for each, except
#          the differences listed below.
#   insns: `ebpf-tool dump-insns` against tests/compat/libbpf_insns: the same relocated instructions, program by
#          program (compare_insns.py says what is not compared), relocated against the running kernel and against
#          the synthetic CO-RE target (core_fixture_target.bpf.o, libbpf's btf_custom_path).
#
# Exit status: 0 pass, 1 a difference, 77 skipped (not root, or the harnesses were not built: no libbpf-dev).
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare_insns  # noqa: E402

# Where ebpf-cxx and libbpf 1.1.2 (Debian 12) legitimately disagree: (object, program) -> expected results and why.
EXPECTED_LOAD_DIFFERENCES = {
    ("maps.bpf.o", "use_maps"): {
        "ebpf-cxx": (True, 0),
        "libbpf": (False, -9),
        # The prog array `jumps` has an initial slot naming tail_target. Loading use_maps alone, libbpf 1.1.2 still
        # fills that slot (bpf_object__init_prog_arrays) with the fd of a program it did not load (-1): EBADF fails
        # the whole object. ebpf-cxx fills a slot only when its program is loaded (Object::load_programs), so
        # use_maps alone loads, with the slot empty.
        "why": "libbpf 1.1.2 fills prog-array slots with programs it did not load (EBADF)",
    },
    ("kconfig_unset.bpf.o", "read_kasan"): {
        "ebpf-cxx": (True, 0),
        "libbpf": (False, -3),
        # A strong `extern bool CONFIG_KASAN __kconfig` where the config says "# CONFIG_KASAN is not set". libbpf
        # reads only CONFIG_*= lines, so the extern has no value and it fails with ESRCH; ebpf-cxx reads the line
        # as n, the value Kconfig gives it, and loads 0. On a kernel with KASAN enabled both load.
        "why": "\"# CONFIG_X is not set\" is n for ebpf-cxx, no value (ESRCH) for libbpf",
    },
    ("tcp_cc.bpf.o", "cc_cong_avoid_v2"): {
        "ebpf-cxx": (True, 0),
        "libbpf": (False, -524),
        # Used only by a SEC(".struct_ops.link") variable: libbpf 1.1.2 knows .struct_ops sections only, so the
        # program gets no struct to attach to and the kernel refuses it (ENOTSUPP). Its siblings load because a
        # .struct_ops variable of the same object uses them too.
        "why": ".struct_ops.link sections are newer than libbpf 1.1.2",
    },
    ("tracing_btf.bpf.o", "on_decide"): {
        "ebpf-cxx": (False, -22),
        "libbpf": (False, -3),
        # fentry on a BPF program's function: loaded alone, without set_attach_target(program, "decide"), neither
        # finds "decide" in the kernel's BTF. ebpf-tool reports the NotFound without an errno (-22), libbpf ESRCH.
        "why": "both fail to find the target; only the reported errno differs",
    },
}

# Section families newer than libbpf 1.1.2 (Debian 12): it does not know the section, so it refuses the program
# with EINVAL, while ebpf-cxx loads it (on the kernels from the version given, as the hosts running this
# comparison). Section prefix -> the libbpf release that added it.
NEWER_SECTIONS = {
    "kprobe.session": "libbpf 1.5, kernel 6.10",
    "uprobe.session": "libbpf 1.5, kernel 6.13",
    "uprobe.multi": "libbpf 1.3, kernel 6.6",
    "uretprobe.multi": "libbpf 1.3, kernel 6.6",
    "tcx/": "libbpf 1.3, kernel 6.6",
    "netkit/": "libbpf 1.3, kernel 6.7",
    "netfilter": "libbpf 1.2, kernel 6.4",
    "sk_skb/verdict": "after libbpf 1.1.2, kernel 5.15",
}


def newer_section(sec):
    for prefix, since in NEWER_SECTIONS.items():
        if sec and sec.startswith(prefix):
            return since
    return None


# Objects made to be refused (bad input for the kernel tests): both loaders must refuse every program of them. libbpf
# may refuse the whole object in one line (prog null); dump-insns cannot relocate them, so insns skips them.
REFUSED_BY_BOTH = {
    "tcp_cc_bad.bpf.o": "a struct_ops variable sets a member the kernel's struct tcp_congestion_ops lacks",
    # Half of a statically linked object (ebpf-tool link: tests/kernel/linker_test.cpp, ebpf_tool_link_test.sh).
    "link_a.bpf.o": "an extern map and extern functions that only link_b.bpf.o defines",
    # ebpf-tool inspect's lenient parse (tests/support/ebpf_tool_test.sh): loading it must fail.
    "inspect_problems.bpf.o": "externs nothing resolves, an unknown section and an unknown map type",
}

# Programs that must load with both loaders (when their object was built): the parity the object exists to show.
MUST_LOAD_WITH_BOTH = {
    ("hidden_subprog.bpf.o", "hidden_calls"): "__hidden global subprograms are static (libbpf: mark_btf_static)",
    ("hidden_subprog.bpf.o", "hidden_entry"): "a __hidden entry program keeps its global linkage",
    ("usdt_args.bpf.o", "on_usdt"): "usdt.bpf.h's __weak __hidden bpf_usdt_arg() verifies in its caller's context",
}


# Programs whose instructions cannot be compared: (object, program) -> why.
EXPECTED_INSN_DIFFERENCES = {
    # libbpf gives up at extern resolution (see above), before relocating: what it prints is the object's code.
    ("kconfig_unset.bpf.o", "read_kasan"): "libbpf refuses the object before relocating it",
}


def skip(reason):
    print("SKIP: " + reason)
    sys.exit(77)


def run_lines(cmd, timeout=900):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    lines = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    return p.returncode, lines, p.stderr


def write_lines(path, lines):
    with open(path, "w") as f:
        for rec in lines:
            f.write(json.dumps(rec) + "\n")


def compare_load(ours, theirs):
    problems, notes = [], []
    key = lambda r: (os.path.basename(r["obj"]), r.get("prog"))
    for obj, why in sorted(REFUSED_BY_BOTH.items()):
        mine = [r for r in ours if os.path.basename(r["obj"]) == obj]
        refs = [r for r in theirs if os.path.basename(r["obj"]) == obj]
        if not mine and not refs:
            continue
        if not mine or any(r["ok"] for r in mine) or not refs or any(r["ok"] for r in refs):
            problems.append("%s: both loaders must refuse it (%s)" % (obj, why))
        else:
            notes.append("%s: refused by both (%s)" % (obj, why))
        ours = [r for r in ours if os.path.basename(r["obj"]) != obj]
        theirs = [r for r in theirs if os.path.basename(r["obj"]) != obj]
    a = {key(r): r for r in ours}
    b = {key(r): r for r in theirs}
    for k in sorted(set(a) | set(b), key=lambda k: (k[0], k[1] or "")):
        obj, prog = k
        if k not in a or k not in b:
            problems.append("%s:%s: listed by only %s" % (obj, prog, "ebpf-tool" if k in a else "libbpf_ref"))
            continue
        ra, rb = a[k], b[k]
        if ra.get("sec") != rb.get("sec"):
            problems.append("%s:%s: section %r (ebpf-cxx) vs %r (libbpf)" % (obj, prog, ra.get("sec"), rb.get("sec")))
        got_a, got_b = (ra["ok"], ra["err"]), (rb["ok"], rb["err"])
        exp = EXPECTED_LOAD_DIFFERENCES.get(k)
        if exp:
            if got_a != exp["ebpf-cxx"]:
                problems.append("%s:%s: ebpf-cxx gives %s, expected %s (%s)" % (obj, prog, got_a, exp["ebpf-cxx"],
                                                                               exp["why"]))
            elif got_b == exp["libbpf"]:
                notes.append("%s:%s: expected difference: ebpf-cxx %s, libbpf %s: %s" % (obj, prog, got_a, got_b,
                                                                                       exp["why"]))
            elif got_b == got_a:
                notes.append("%s:%s: both %s now (the listed difference is gone: %s)" % (obj, prog, got_a, exp["why"]))
            else:
                problems.append("%s:%s: libbpf gives %s, expected %s (%s)" % (obj, prog, got_b, exp["libbpf"],
                                                                             exp["why"]))
            continue
        since = newer_section(ra.get("sec"))
        if since and got_b == (False, -22) and got_a[0]:
            notes.append("%s:%s: expected difference: section %r is newer than libbpf 1.1.2 (%s)" % (obj, prog,
                                                                                                  ra.get("sec"), since))
            continue
        if got_a != got_b:
            problems.append("%s:%s: ebpf-cxx ok=%s err=%s, libbpf ok=%s err=%s" % (obj, prog, got_a[0], got_a[1],
                                                                                 got_b[0], got_b[1]))
        else:
            notes.append("%s:%s: both ok=%s err=%s" % (obj, prog, got_a[0], got_a[1]))
    built = {key(r)[0] for r in ours}
    for (obj, prog), why in sorted(MUST_LOAD_WITH_BOTH.items()):
        if obj not in built:
            continue  # not built here (e.g. usdt_args without <bpf/usdt.bpf.h>)
        for who, side in (("ebpf-cxx", a), ("libbpf", b)):
            r = side.get((obj, prog))
            if not r or not r["ok"]:
                problems.append("%s:%s: must load with %s (%s): %s" % (obj, prog, who, why,
                                                                       "not listed" if not r else "err %d" % r["err"]))
    return problems, notes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["load", "insns"])
    ap.add_argument("--ebpf-tool", required=True)
    ap.add_argument("--objects", required=True, help="directory of the built bpf-progs objects")
    ap.add_argument("--libbpf-ref", default="", help="tests/compat/libbpf_ref (empty: not built)")
    ap.add_argument("--libbpf-insns", default="", help="tests/compat/libbpf_insns (empty: not built)")
    ap.add_argument("--missing", default="", help="why the harnesses were not built (from meson)")
    args = ap.parse_args()

    harness = args.libbpf_ref if args.mode == "load" else args.libbpf_insns
    if not harness:
        skip("the libbpf reference harness was not built: " + (args.missing or "libbpf-dev not found by meson"))
    if not os.access(harness, os.X_OK):
        print("FAIL: %s is not an executable (build it: ninja %s)" % (harness, os.path.relpath(harness)))
        return 1

    if os.geteuid() != 0:
        skip("loading programs needs root")
    objs = sorted(glob.glob(os.path.join(args.objects, "*.bpf.o")))
    if not objs:
        print("FAIL: no objects in " + args.objects)
        return 1

    # maps.bpf.o pins a map by name. Loads pin under a private bpffs directory; libbpf_insns (and ebpf-tool
    # dump-insns) pin under /sys/fs/bpf: remove that pin afterwards unless it was there before.
    with open("/proc/mounts") as m:
        if not any(line.split()[1:3] == ["/sys/fs/bpf", "bpf"] for line in m):
            subprocess.run(["mount", "-t", "bpf", "bpf", "/sys/fs/bpf"], stderr=subprocess.DEVNULL)
    libbpf_pin = "/sys/fs/bpf/pinned_counts"
    had_pin = os.path.exists(libbpf_pin)
    problems, notes = [], []
    with tempfile.TemporaryDirectory(prefix="ebpf-cxx-parity-") as tmp:
        if args.mode == "load":
            ref = args.libbpf_ref
            # Each pins under its own private bpffs directory, so neither reuses the other's pins.
            pin_roots = [tempfile.mkdtemp(prefix="ebpf-cxx-parity-", dir="/sys/fs/bpf") for _ in range(2)]
            try:
                rc, ours, err = run_lines([args.ebpf_tool, "load", "--each", "--json", "--pin-root", pin_roots[0]] +
                                          objs)
                if rc != 0:
                    problems.append("ebpf-tool load --each exited %d: %s" % (rc, err[-500:]))
                _, theirs, _ = run_lines([ref, "--pin-root", pin_roots[1]] + objs)
            finally:
                for pin_root in pin_roots:
                    for name in os.listdir(pin_root):
                        os.unlink(os.path.join(pin_root, name))
                    os.rmdir(pin_root)
            p, n = compare_load(ours, theirs)
            problems += p
            notes += n
        else:
            runs = [("running kernel", [], [], [o for o in objs if os.path.basename(o) not in REFUSED_BY_BOTH])]
            local = os.path.join(args.objects, "core_fixture.bpf.o")
            target = os.path.join(args.objects, "core_fixture_target.bpf.o")
            if os.path.exists(local) and os.path.exists(target):
                runs.append(("synthetic target core_fixture_target.bpf.o", ["--target-btf", target],
                             ["--btf", target], [local]))
            for what, our_opts, their_opts, files in runs:
                rc, ours, err = run_lines([args.ebpf_tool, "dump-insns"] + our_opts + files)
                if rc != 0:
                    problems.append("%s: ebpf-tool dump-insns exited %d: %s" % (what, rc, err[-500:]))
                _, theirs, _ = run_lines([args.libbpf_insns] + their_opts + files)
                a, b = os.path.join(tmp, "ours.json"), os.path.join(tmp, "theirs.json")
                write_lines(a, ours)
                write_lines(b, theirs)
                p, n = compare_insns.compare(compare_insns.load(a), compare_insns.load(b), EXPECTED_INSN_DIFFERENCES)
                problems += ["%s: %s" % (what, x) for x in p]
                notes += ["%s: %s" % (what, x) for x in n]
    if not had_pin and os.path.exists(libbpf_pin):
        os.unlink(libbpf_pin)
    for n in notes:
        print("ok: " + n)
    for p in problems:
        print("FAIL: " + p)
    print("%d compared, %d differences" % (len(notes) + len(problems), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
