#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Print the table of `make bench`'s comparison with the in-kernel driver.

    bench-table.py FILE...

Each FILE is one boot's output of scripts/guest-compare.sh, named
<boot>-ours.txt or <boot>-peer.txt: "sample ROW UNIT VALUE" and "note TEXT"
lines. For every row: minimum and median over all samples of all boots of
each driver, and the ratio of the medians, ours / in-kernel. Below the
table, every boot's notes.
"""
import os
import re
import statistics
import sys

NAMES = {
    "dma": "DMA API map+unmap",
    "strict": "strict",
    "lazy": "lazy",
    "iommufd.map_1g_4k": "IOAS_MAP 1 GiB, 4 KiB pages",
    "iommufd.unmap_1g_4k": "IOAS_UNMAP 1 GiB, 4 KiB pages",
    "iommufd.map_1g_2m": "IOAS_MAP 1 GiB, 2 MiB hugetlb",
    "iommufd.unmap_1g_2m": "IOAS_UNMAP 1 GiB, 2 MiB hugetlb",
    "iommufd.map_4k_x4096": "IOAS_MAP 4 KiB x4096, per call",
    "iommufd.unmap_4k_x4096": "IOAS_UNMAP 4 KiB x4096, per call",
    "fault.storm_driver": "1000 faulting DMAs: CPU in fault handler",
    "fault.idle_driver": "idle: CPU in fault handler",
    "fault.idle_system": "idle: CPU of all tasks",
}


def row_name(row):
    """A readable name for a row key."""
    if row in NAMES:
        return NAMES[row]
    m = re.fullmatch(r"dma\.(strict|lazy)\.(\w+)\.t(\d)", row)
    if m:
        size = {"4k": "4 KiB", "64k": "64 KiB", "1m": "1 MiB"}.get(
            m.group(2), m.group(2))
        return "DMA API %s %s, %s thread%s" % (
            m.group(1), size, m.group(3), "s" if m.group(3) != "1" else "")
    return row


def fmt(v):
    if v is None:
        return "-"
    if v >= 100:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    return "%.2f" % v


def main(files):
    samples = {}    # row -> {"ours": [...], "peer": [...]}
    units = {}
    order = []
    notes = []
    boots = {"ours": 0, "peer": 0}
    for path in files:
        m = re.match(r"(\d+)-(ours|peer)\.txt$", os.path.basename(path))
        if not m:
            continue
        drv = m.group(2)
        boots[drv] += 1
        label = "boot %s, %s" % (m.group(1),
                                 "intel-vtd" if drv == "ours" else "in-kernel")
        for line in open(path):
            f = line.split()
            if len(f) == 4 and f[0] == "sample":
                row = f[1]
                if row not in samples:
                    samples[row] = {"ours": [], "peer": []}
                    order.append(row)
                units[row] = f[2]
                samples[row][drv].append(float(f[3]))
            elif f and f[0] == "note":
                notes.append("%s: %s" % (label, line.strip()[5:]))

    # DMA API, iommufd, storm, idle; each in the order first seen.
    groups = ("dma.", "iommufd.", "fault.storm", "fault.idle")
    order.sort(key=lambda r: next(
        (i for i, g in enumerate(groups) if r.startswith(g)), len(groups)))
    head = ("row", "unit", "ours min", "ours med", "kern min", "kern med",
            "ratio")
    w = max([len(row_name(r)) for r in order] + [len(head[0])])
    line = "%-*s %-5s %9s %9s %9s %9s  %s"
    print(line % ((w,) + head))
    for row in order:
        o, p = samples[row]["ours"], samples[row]["peer"]
        om = statistics.median(o) if o else None
        pm = statistics.median(p) if p else None
        if om is None or pm is None:
            ratio = "-"
        elif pm == 0:
            ratio = "inf" if om > 0 else "-"
        else:
            ratio = "%.2f" % (om / pm)
        print(line % (w, row_name(row), units[row],
                      fmt(min(o) if o else None), fmt(om),
                      fmt(min(p) if p else None), fmt(pm), ratio))
    print()
    print("%d boots of intel-vtd, %d of the in-kernel driver; ratio = ours"
          " med / in-kernel med (lower is better for ours)" %
          (boots["ours"], boots["peer"]))
    if notes:
        print()
        for n in notes:
            print(n)
    return 0 if order else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
