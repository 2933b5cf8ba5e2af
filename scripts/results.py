#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Summarise one `make check` run.

Reads the KTAP/TAP files guest-check.sh left in OUTDIR, the guest's
logs and the IOMMU group listings, prints every failure with the lines
that led to it, and ends with "N passed, N failed[, N skipped]".

Counted cases are the leaves of the KTAP trees: a parameterised KUnit
case counts once per parameter. Besides failed cases, each of these is
a failure (and counts as one):

  - a result file that is missing: every KUnit suite the sources declare
    (SUITES), every kselftest built (KSELFTESTS), load.tap, and every
    file scripts/expected/counts names;
  - a (sub)test whose results do not match its plan (1..N), at any level
    of the tree, and a file without a top-level plan;
  - a file whose number of leaf cases differs from scripts/expected/counts,
    or that the counts file does not list;
  - a skipped case that scripts/expected/skips does not allow;
  - a kselftest that did not exit with a kselftest status (0, 1 or 4);
  - a kernel report in the console log, dmesg or the kmemleak scans
    (KASAN, lockdep, RCU stall, hung task, UBSAN, DMA-API, kmemleak, WARN,
    BUG, panic), and an error line of our driver outside an
    expected-error window (see Documentation/vtd-nest/testing.rst);
  - an IOMMU grouping that disagrees with the in-kernel driver's
    (scripts/iommu_groups.py);
  - a guest that hung or whose command failed.

Exit status is 0 only when there is no failure at all.
"""
import argparse
import fnmatch
import os
import pathlib
import re
import sys
from collections import Counter
from dataclasses import dataclass, field

import iommu_groups

EXPECTED = pathlib.Path(__file__).resolve().parent / "expected"

RESULT = re.compile(r"^(\s*)(ok|not ok)\s+\d+\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(.*))?$")
PLAN = re.compile(r"^(\s*)1\.\.(\d+)\s*(#.*)?$")
HEADER = re.compile(r"^(\s*)(?:K?TAP version \d+|# Subtest: (.*?))\s*$")

# Exit statuses of a kselftest that finished: pass, fail, skip.
KSFT_EXITS = (0, 1, 4)

# Kernel reports: a failure wherever they appear, expected-error window or
# not. The first kind whose pattern matches names the report.
REPORTS = [(kind, re.compile(pattern)) for kind, pattern in (
    ("KASAN", r"BUG: KASAN|BUG: KFENCE"),
    ("UBSAN", r"UBSAN:"),
    ("DMA-API", r"DMA-API: (?!preallocated \d+ debug entries|debugging enabled"
                r"|dma_debug_entry pool grown|enable driver filter"
                r"|switching off dma-debug driver filter)"),
    ("lockdep", r"INFO: trying to register non-static key"
                r"|turning off the locking correctness validator"
                r"|INFO: lockdep is turned off"
                r"|Disabling lock debugging due to kernel taint"
                r"|WARNING: (possible (circular|recursive|irq)|inconsistent lock"
                r"|bad unlock|bad contention|suspicious RCU|held lock freed"
                r"|lock held when returning|Nested lock|chain_key collision"
                r"|.*lock order detected|.* still has locks held)"
                r"|BUG: (MAX_LOCK|MAX_STACK_TRACE|key .* not been registered"
                r"|looking up invalid subclass|spinlock|rwlock)"
                r"|DEBUG_LOCKS_WARN_ON"),
    ("RCU stall", r"rcu: INFO: .*stall|self-detected stall|detected stalls on"
                  r"|detected expedited stalls|kthread starved for"
                  r"|kthread timer wakeup didn't happen"),
    ("hung task", r"blocked for more than|INFO: task .* blocked"),
    # "Cannot allocate a scan area" only makes kmemleak scan the whole
    # object (fault injection causes it); any other failed allocation of
    # its own stops it from tracking memory.
    ("kmemleak", r"unreferenced object 0x|kmemleak: .*(disabled|pool empty"
                 r"|Cannot allocate (?!a scan area))"),
    ("WARN", r"\bWARNING:|------------\[ cut here \]------------"),
    ("BUG", r"\bBUG:|kernel BUG at|Oops:|general protection fault"
            r"|Kernel panic"),
)]
REPORT_LINES = 30

# Our driver's error lines: a failure outside an expected-error window.
DRIVER_ERROR = re.compile(r"\bintel-(?:vtd|pgtable): .*\b(?:invalidation|timed out"
                          r"|leak|leaked|abandoned?|failed)\b")
WINDOW_START = re.compile(r"vtd-nest: expect errors: (.+?)\s*$")
WINDOW_END = re.compile(r"vtd-nest: end of expected errors: (.+?)\s*$")
TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\]\s*")


@dataclass
class Case:
    name: str
    ok: bool
    skip: str | None              # the SKIP reason; None: not skipped
    context: list                 # the lines before its result
    children: list = field(default_factory=list)


@dataclass
class Level:
    """The results at one indentation while they are being read."""
    indent: int
    name: str | None = None       # from "# Subtest: <name>"
    plan: int | None = None
    cases: list = field(default_factory=list)


def indent_of(spaces):
    return len(spaces.expandtabs())


def parse_ktap(path):
    """Return (top-level cases, plan problems) of a KTAP or TAP file.

    A result line closes the deeper level before it: that level's cases
    become its children. Each level with a plan must hold that many
    results; the top level must have a plan (leading or trailing).
    """
    problems = []
    stack = [Level(0)]
    context = []

    def where(name):
        names = [lvl.name for lvl in stack if lvl.name] + [name]
        return "/".join(n for n in names if n)

    def check_plan(level, name):
        if level.plan is not None and level.plan != len(level.cases):
            problems.append(f"{path.name}: {name}: plan 1..{level.plan}, "
                            f"{len(level.cases)} results")

    def open_level(indent):
        """The level at this indentation, closing none (results do that)."""
        if stack[-1].indent < indent:
            stack.append(Level(indent))
        return stack[-1]

    for line in path.read_text(errors="replace").splitlines():
        result = RESULT.match(line)
        if result:
            indent = indent_of(result.group(1))
            inner = None
            while stack[-1].indent > indent:
                if inner is not None:
                    problems.append(f"{path.name}: subtest {inner.name or '?'} "
                                    f"has no result line")
                inner = stack.pop()
            directive = result.group(4) or ""
            skip = None
            if directive[:4].upper() == "SKIP":
                skip = directive[4:].strip() or "(no reason given)"
            case = Case(result.group(3) or "(unnamed)", result.group(2) == "ok",
                        skip, context[-25:], inner.cases if inner else [])
            if inner is not None:
                check_plan(inner, where(case.name))
            open_level(indent).cases.append(case)
            context = []
            continue
        context.append(line)
        plan = PLAN.match(line)
        header = HEADER.match(line)
        if plan:
            level = open_level(indent_of(plan.group(1)))
            if level.plan is not None:
                problems.append(f"{path.name}: a second plan at "
                                f"{where(None) or 'the top level'}")
            level.plan = int(plan.group(2))
        elif header:
            level = open_level(indent_of(header.group(1)))
            if header.group(2):
                level.name = header.group(2)

    while len(stack) > 1:
        level = stack.pop()
        problems.append(f"{path.name}: subtest {level.name or '?'} has no "
                        f"result line: the output ends inside it")
    if stack[0].plan is None:
        problems.append(f"{path.name}: no plan (1..N): the program did not "
                        f"start or did not finish")
    else:
        check_plan(stack[0], "top level")
    return stack[0].cases, problems


def leaves(cases, prefix=()):
    """(path, case) of every leaf below cases, depth first."""
    for case in cases:
        path = prefix + (case.name,)
        if case.children:
            yield from leaves(case.children, path)
        else:
            yield path, case


def case_id(fname, path):
    """How the expectation files name a case: its path of names joined
    with "/", without the suite a KUnit file already names."""
    if fname.startswith("kunit-") and len(path) > 1:
        path = path[1:]
    return "/".join(path)


def parents_failed_alone(cases):
    """Parents that report "not ok" although none of their leaves failed."""
    for case in cases:
        if not case.children:
            continue
        if not case.ok and case.skip is None and \
           all(leaf.ok or leaf.skip for _, leaf in leaves(case.children)):
            yield case
        yield from parents_failed_alone(case.children)


# ---- the checked-in expectations ----

def read_expected(directory, name, fields):
    """Lines "a: b[: c]" of <directory>/<name> (fields end at ": "; the
    last takes the rest of the line); # comments and blank lines dropped."""
    entries, problems = [], []
    path = directory / name
    if not path.exists():
        return entries, [f"missing {path}"]
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(": ", fields - 1)]
        if len(parts) != fields or not all(parts):
            problems.append(f"{path}:{number}: malformed: {line}")
            continue
        entries.append(parts)
    return entries, problems


def read_counts(directory):
    entries, problems = read_expected(directory, "counts", 2)
    counts = {}
    for fname, number in entries:
        if not number.isdigit():
            problems.append(f"{directory}/counts: {fname}: not a number: {number}")
            continue
        counts[fname] = int(number)
    return counts, problems


def skip_allowed(allowed, fname, cid):
    return any(f == fname and fnmatch.fnmatchcase(cid, pattern)
               for f, pattern, _ in allowed)


# ---- kernel logs ----

def scan_log(path):
    """Reports and unexpected driver errors in one log, in order, and the
    problems of its expected-error windows."""
    found, problems = [], []
    if not path.exists():
        return found, problems
    lines = path.read_text(errors="replace").splitlines()
    windows = Counter()
    quiet_until = 0   # the lines of a report already shown
    for i, line in enumerate(lines):
        start, end = WINDOW_START.search(line), WINDOW_END.search(line)
        if start:
            windows[start.group(1)] += 1
            continue
        if end:
            if windows[end.group(1)]:
                windows[end.group(1)] -= 1
            else:
                problems.append(f"{path.name}:{i + 1}: end of expected errors "
                                f"'{end.group(1)}' without its start")
            continue
        if i < quiet_until:
            continue
        kind = next((k for k, r in REPORTS if r.search(line)), None)
        if kind:
            found.append((kind, path.name, i + 1, lines[i:i + REPORT_LINES]))
            quiet_until = i + REPORT_LINES
        elif DRIVER_ERROR.search(line) and not sum(windows.values()):
            found.append(("driver error", path.name, i + 1, [line]))
    for tag, left in windows.items():
        if left:
            problems.append(f"{path.name}: expected errors '{tag}' never ended")
    return found, problems


def kernel_reports(logs):
    """Reports of all logs; one seen in an earlier log is not repeated.
    The first log is the whole console: only its expected-error windows
    are checked (dmesg may have lost its first lines)."""
    reports, problems, seen = [], [], set()
    for log in logs:
        found, window_problems = scan_log(log)
        if log == logs[0]:
            problems += window_problems
        keys = set()
        for report in found:
            key = (report[0], TIMESTAMP.sub("", report[3][0]).strip())
            keys.add(key)
            if key not in seen:
                reports.append(report)
        seen |= keys
    return reports, problems


def format_reports(reports):
    """Problems: each report with its lines; driver errors grouped."""
    problems = []
    driver_errors = [r for r in reports if r[0] == "driver error"]
    for kind, name, number, lines in reports:
        if kind != "driver error":
            problems.append(f"{kind} report in {name}:{number}:\n    " +
                            "\n    ".join(lines))
    if driver_errors:
        shown = [f"{name}:{number}: {lines[0]}"
                 for _, name, number, lines in driver_errors[:10]]
        more = len(driver_errors) - len(shown)
        if more:
            shown.append(f"... and {more} more")
        problems.append(f"{len(driver_errors)} error lines of our driver outside "
                        "an expected-error window:\n    " + "\n    ".join(shown))
    return problems


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


def check_groups(peer_path, out):
    """Our IOMMU groups against the peer boot's (iommu_groups.py)."""
    paths = (peer_path, out / "groups-before.txt", out / "groups-ours.txt")
    missing = [str(p or "the peer's listing (--peer-groups)")
               for p in paths if p is None or not p.exists()]
    if missing:
        return ["IOMMU groups not compared: missing " + ", ".join(missing)]
    peer, before, ours = (iommu_groups.read_listing(p) for p in paths)
    broken = iommu_groups.compare(peer, before, ours)
    if not broken:
        print(f"IOMMU groups: ours agree with the peer's "
              f"({len(ours.groups)} groups, {len(peer.groups)} in the peer)")
        return []
    listing = ["peer (intel_iommu=on), drivers of that boot:"]
    listing += ["    " + line for line in iommu_groups.format_listing(peer)]
    listing += ["intel-vtd, drivers when it loaded:"]
    listing += ["    " + line for line in
                iommu_groups.format_listing(ours, before.drivers)]
    return ["IOMMU groups differ from the peer's:\n    " +
            "\n    ".join(broken + listing)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=pathlib.Path, help="the guest's result directory")
    ap.add_argument("console", type=pathlib.Path, help="the guest console log")
    ap.add_argument("--suites", default="", help="KUnit suites the sources declare")
    ap.add_argument("--kselftests", default="", help="kselftest programs built")
    ap.add_argument("--guest-rc", type=int, default=0, help="vm.sh's exit status")
    ap.add_argument("--peer-groups", type=pathlib.Path,
                    help="guest-groups.sh listing of the peer boot")
    ap.add_argument("--expected", type=pathlib.Path, default=EXPECTED,
                    help="directory of the counts and skips files")
    args = ap.parse_args()
    args.expected = pathlib.Path(os.path.relpath(args.expected))
    out = args.out
    passed = failed = skipped = 0
    problems = []

    counts, count_problems = read_counts(args.expected)
    allowed, skip_problems = read_expected(args.expected, "skips", 3)
    problems += count_problems + skip_problems

    kselftests = args.kselftests.split()
    expected_files = ({f"kunit-{s}.ktap" for s in args.suites.split()} |
                      {f"kselftest-{k}.tap" for k in kselftests} |
                      {"load.tap"} | set(counts))
    files = sorted(out.glob("kunit-*.ktap")) + sorted(out.glob("kselftest-*.tap"))
    files.append(out / "load.tap")
    for name in sorted(expected_files - {f.name for f in files}):
        files.append(out / name)

    for f in files:
        if not f.exists():
            problems.append(f"missing {f.name}: the suite or program left no "
                            f"results (not built, not run, or the guest died)")
            continue
        cases, plan_problems = parse_ktap(f)
        problems += plan_problems
        p = fl = s = 0
        for path, case in leaves(cases):
            cid = case_id(f.name, path)
            if case.skip is not None:
                s += 1
                if not skip_allowed(allowed, f.name, cid):
                    problems.append(f"{f.name}: {cid}: skipped ({case.skip}), and "
                                    f"{args.expected}/skips does not allow it")
            elif case.ok:
                p += 1
            else:
                fl += 1
                print(f"FAIL {f.name}: {cid}")
                for c in case.context:
                    print(f"    {c}")
        for case in parents_failed_alone(cases):
            problems.append(f"{f.name}: {case.name}: not ok, though none of "
                            f"its subtests failed")
        print(f"{f.name}: {p} passed, {fl} failed, {s} skipped")
        passed, failed, skipped = passed + p, failed + fl, skipped + s
        seen = p + fl + s
        if f.name not in counts:
            problems.append(f"{f.name}: {seen} cases, and {args.expected}/counts "
                            f"has no count for it (add \"{f.name}: {seen}\")")
        elif counts[f.name] != seen:
            problems.append(f"{f.name}: {counts[f.name]} cases expected "
                            f"({args.expected}/counts), {seen} seen")

    # Every program run like a kselftest (inval_fail-<mode> too).
    for tap in sorted(out.glob("kselftest-*.tap")):
        problem = check_exit(out, tap.name[len("kselftest-"):-len(".tap")])
        if problem:
            problems.append(problem)

    logs = [args.console, out / "dmesg.txt",
            out / "kmemleak-1.txt", out / "kmemleak-2.txt"]
    for log in logs[1:]:
        if not log.exists():
            problems.append(f"missing {log.name}: the guest did not finish")
    reports, window_problems = kernel_reports(logs)
    problems += window_problems + format_reports(reports)

    problems += check_groups(args.peer_groups, out)

    if args.guest_rc in (124, 137):
        problems.append("the guest hung: the time limit ran out")
    elif args.guest_rc:
        problems.append(f"the guest command exited with {args.guest_rc}")

    for p in problems:
        print(f"ERROR {p}")
    failed += len(problems)  # a missing result or a report is a failure
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
