#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Summarise one `make check` boot.

Reads the KTAP/TAP files guest-check.sh left in OUTDIR and the console
log, prints every failed case with the lines that led to it, every
kernel report (KASAN, lockdep, kmemleak, WARN, BUG, panic) found in the
logs, and ends with "N passed, N failed[, N skipped]".

Counted cases are the leaves of the KTAP trees: a parameterised KUnit
case counts once per parameter. Exit status is 0 only when nothing
failed, every expected result file is there and no report was found.

    results.py OUTDIR CONSOLE_LOG "SUITES" GUEST_RC ["KSELFTESTS"]

SUITES are the KUnit suite names the sources declare, KSELFTESTS the
kselftest programs that were built: each must have left its results. A
kselftest must also report as many top-level results as its plan
announced and exit with a kselftest status (0 pass, 1 fail, 4 skip), so a
program that crashed or was stopped half-way fails the run.
"""
import pathlib
import re
import sys

RESULT = re.compile(r"^(\s*)(ok|not ok)\s+\d+\s*(?:-\s*)?([^#]*?)\s*(#.*)?$")
PLAN = re.compile(r"^1\.\.(\d+)\s*(#.*)?$")

# Exit statuses of a kselftest that finished: pass, fail, skip.
KSFT_EXITS = (0, 1, 4)

# Kernel reports that fail a run, wherever they appear in the logs.
REPORTS = [
    re.compile(p) for p in (
        r"BUG: KASAN",
        r"BUG: KFENCE",
        r"WARNING: .*(lock|recursion|suspicious|held)",
        r"possible circular locking dependency",
        r"possible recursive locking",
        r"inconsistent lock state",
        r"\bWARNING:",
        r"------------\[ cut here \]------------",
        r"\bBUG:",
        r"Kernel panic",
        r"Oops:",
        r"general protection fault",
        r"unreferenced object 0x",
        r"INFO: task .* blocked for more than",
        r"UBSAN:",
    )
]


def parse_tap(path):
    """Return (passed, failed, skipped) leaf results with failure context."""
    lines = path.read_text(errors="replace").splitlines()
    passed, failed, skipped = [], [], []
    seen_deeper = {}
    context = []
    for line in lines:
        m = RESULT.match(line)
        if not m:
            context.append(line)
            continue
        indent = len(m.group(1).expandtabs())
        is_parent = seen_deeper.get(indent, False)
        seen_deeper[indent] = False
        for i in list(seen_deeper):
            seen_deeper[i] = i < indent
        for i in range(indent):
            seen_deeper[i] = True
        name = m.group(3) or "(unnamed)"
        directive = (m.group(4) or "").upper()
        if not is_parent:
            if "SKIP" in directive:
                skipped.append(name)
            elif m.group(2) == "ok":
                passed.append(name)
            else:
                failed.append((name, context[-25:]))
        context = []
    return passed, failed, skipped


def check_plan(path):
    """A problem when the top-level results do not match the plan."""
    plan, results = None, 0
    for line in path.read_text(errors="replace").splitlines():
        m = PLAN.match(line)
        if m and plan is None:
            plan = int(m.group(1))
            continue
        m = RESULT.match(line)
        if m and not m.group(1):
            results += 1
    if plan is None:
        return f"{path.name}: no plan (1..N): the program did not start"
    if plan != results:
        return f"{path.name}: {plan} results planned, {results} reported"
    return None


def check_exit(out, name):
    """A problem when a kselftest did not finish with a kselftest status."""
    rc_file = out / f"kselftest-{name}.rc"
    if not rc_file.exists():
        return f"kselftest {name}: no exit status"
    try:
        rc = int(rc_file.read_text().strip())
    except ValueError:
        return f"kselftest {name}: unreadable exit status"
    if rc in KSFT_EXITS:
        return None
    if rc == 124:
        return f"kselftest {name}: stopped after its time limit"
    if rc > 128:
        return f"kselftest {name}: killed by signal {rc - 128}"
    return f"kselftest {name}: exit status {rc}"


def find_reports(path):
    found = []
    if not path.exists():
        return found
    lines = path.read_text(errors="replace").splitlines()
    i = 0
    while i < len(lines):
        if any(r.search(lines[i]) for r in REPORTS):
            found.append((path.name, lines[i:i + 30]))
            i += 30
        else:
            i += 1
    return found


def main():
    out = pathlib.Path(sys.argv[1])
    console = pathlib.Path(sys.argv[2])
    expected_suites = sys.argv[3].split()
    guest_rc = int(sys.argv[4])
    expected_kselftests = sys.argv[5].split() if len(sys.argv) > 5 else []
    passed = failed = skipped = 0
    problems = []

    files = sorted(out.glob("kunit-*.ktap")) + sorted(out.glob("kselftest-*.tap"))
    files.append(out / "load.tap")
    for f in files:
        if not f.exists():
            problems.append(f"missing {f.name}: the guest did not finish")
            continue
        p, fl, s = parse_tap(f)
        passed += len(p)
        skipped += len(s)
        failed += len(fl)
        for name, ctx in fl:
            print(f"FAIL {f.name}: {name}")
            for c in ctx:
                print(f"    {c}")
        print(f"{f.name}: {len(p)} passed, {len(fl)} failed, {len(s)} skipped")
    for suite in expected_suites:
        if not (out / f"kunit-{suite}.ktap").exists():
            problems.append(f"KUnit suite {suite} produced no results")
    for name in expected_kselftests:
        tap = out / f"kselftest-{name}.tap"
        if not tap.exists():
            problems.append(f"kselftest {name} produced no results")
            continue
        for p in (check_plan(tap), check_exit(out, name)):
            if p:
                problems.append(p)

    for name, ctx in (find_reports(console) + find_reports(out / "dmesg.txt") +
                      find_reports(out / "kmemleak.txt")):
        problems.append(f"kernel report in {name}:\n    " + "\n    ".join(ctx))

    if guest_rc in (124, 137):
        problems.append("the guest hung: the time limit ran out")
    elif guest_rc:
        problems.append(f"the guest command exited with {guest_rc}")

    for p in problems:
        print(f"ERROR {p}")
    failed += len(problems)  # a missing result or a report is a failure
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
