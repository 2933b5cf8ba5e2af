#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the test VM: print the IOMMU groups and the driver of every
# PCI device, in the form scripts/iommu_groups.py reads:
#
#   group <number> <device>...
#   pci <device> <driver, or - when none>
#
# `make check` records this once in a boot with the in-kernel VT-d driver
# (the peer) and, in its main boot, just before and just after intel-vtd
# first loads. With OUTFILE, writes there instead of stdout. Shell
# builtins only: every program started costs a lot under TCG.
set -u
shopt -s nullglob
[ $# -gt 0 ] && exec >"$1"

read -r cmdline </proc/cmdline
echo "# $cmdline"
for g in /sys/kernel/iommu_groups/*; do
	[ -d "$g/devices" ] || continue
	devices=("$g"/devices/*)
	echo "group ${g##*/} ${devices[*]##*/}"
done
for d in /sys/bus/pci/devices/*; do
	drv=-
	cd -P "$d/driver" 2>/dev/null && drv=${PWD##*/}
	echo "pci ${d##*/} $drv"
done
