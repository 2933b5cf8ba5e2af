#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Compare intel-vtd's IOMMU groups with the in-kernel VT-d driver's.

Reads three listings written by scripts/guest-groups.sh ("group <n>
<device>..." and "pci <device> <driver or ->" lines): the peer boot's
(intel_iommu=on), and ours just before and just after intel-vtd first
loaded. The rules:

  1. for every peer group, the devices of it that are in any of our groups
     are none, or exactly one of our groups (we may leave devices out,
     never split or merge what the peer keeps together);
  2. every one of our groups lies inside one peer group;
  3. a device that had a driver when intel-vtd loaded stays out of our
     groups (it is left in pass-through);
  4. a peer group none of whose devices had a driver when intel-vtd
     loaded is one of our groups: without this rule a driver that groups
     nothing would pass.

    iommu_groups.py PEER BEFORE OURS

prints both listings and the broken rules, and exits 1 if a rule is
broken. scripts/results.py calls compare() for `make check`.
"""
import pathlib
import sys
from dataclasses import dataclass, field


@dataclass
class Listing:
    groups: dict = field(default_factory=dict)   # name -> frozenset of devices
    drivers: dict = field(default_factory=dict)  # device -> driver or None


def read_listing(path):
    listing = Listing()
    for line in pathlib.Path(path).read_text().splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] == "group" and len(words) >= 2:
            listing.groups[words[1]] = frozenset(words[2:])
        elif words[0] == "pci" and len(words) >= 3:
            driver = " ".join(words[2:])   # "i6300ESB timer" has a space
            listing.drivers[words[1]] = None if driver == "-" else driver
    return listing


def short(devices):
    return " ".join(d.removeprefix("0000:") for d in sorted(devices))


def format_listing(listing, drivers=None):
    """The groups, each device with its driver (from `drivers` if given)."""
    drivers = listing.drivers if drivers is None else drivers
    lines = []
    for name, devices in sorted(listing.groups.items(),
                                key=lambda g: int(g[0]) if g[0].isdigit() else 0):
        members = ", ".join(f"{d.removeprefix('0000:')} ({drivers.get(d) or '-'})"
                            for d in sorted(devices))
        lines.append(f"group {name}: {members}")
    grouped = set().union(*listing.groups.values()) if listing.groups else set()
    rest = [f"{d.removeprefix('0000:')} ({drv or '-'})"
            for d, drv in sorted(drivers.items()) if d not in grouped]
    lines.append("no group: " + (", ".join(rest) or "(none)"))
    return lines


def compare(peer, before, ours):
    """The broken rules, as sentences (none: the groupings agree)."""
    problems = []
    our_groups = {name: devs for name, devs in ours.groups.items() if devs}
    group_of = {d: name for name, devs in our_groups.items() for d in devs}
    had_driver = {d for d, drv in before.drivers.items() if drv}

    for name, devs in sorted(peer.groups.items()):
        taken = devs & group_of.keys()
        if taken and taken not in our_groups.values():
            where = ", ".join(f"group {group_of[d]} has {d.removeprefix('0000:')}"
                              for d in sorted(taken))
            problems.append(f"peer group {name} ({short(devs)}) is not one of "
                            f"our groups: {where}")
        if devs and not devs & had_driver:
            missing = devs - group_of.keys()
            if missing:
                problems.append(f"peer group {name} ({short(devs)}): "
                                f"{short(missing)} had no driver when "
                                f"intel-vtd loaded, yet is in none of our groups")

    for name, devs in sorted(our_groups.items()):
        if not any(devs <= p for p in peer.groups.values()):
            problems.append(f"our group {name} ({short(devs)}) is not inside "
                            f"one peer group")

    for d in sorted(had_driver & group_of.keys()):
        problems.append(f"{d.removeprefix('0000:')} had a driver "
                        f"({before.drivers[d]}) when intel-vtd loaded, yet is "
                        f"in our group {group_of[d]}")
    return problems


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    peer, before, ours = (read_listing(p) for p in sys.argv[1:])
    problems = compare(peer, before, ours)
    print("peer (intel_iommu=on), drivers of that boot:")
    print("\n".join("    " + line for line in format_listing(peer)))
    print("intel-vtd, drivers when it loaded:")
    print("\n".join("    " + line for line in format_listing(ours, before.drivers)))
    for p in problems:
        print(f"ERROR {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
