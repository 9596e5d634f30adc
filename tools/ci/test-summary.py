#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Summarises one or more Meson testlog.json files as 'N passed, N failed' (skips listed, and counted as failures
with --skips-fail, which CI uses: as root nothing may skip)."""
import json
import sys

args = sys.argv[1:]
skips_fail = "--skips-fail" in args
logs = [a for a in args if not a.startswith("--")]
passed = failed = skipped = 0
for path in logs:
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError as e:
        print(f"test-summary: {path}: {e}", file=sys.stderr)
        failed += 1
        continue
    for line in lines:
        if not line.strip():
            continue
        t = json.loads(line)
        r = t.get("result")
        name = f"{t.get('name')}"
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
            print(f"skipped: {name}")
        else:
            failed += 1
            print(f"failed: {name} ({r})")
if skipped:
    print(f"{skipped} skipped")
    if skips_fail:
        failed += skipped
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
