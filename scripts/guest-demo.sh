#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the test VM for `make run`: load intel-pgtable,
# iommufd-viommu and intel-vtd and show what the driver reports, run
# vtd_demo (edu DMA through iommufd and intel-vtd's first-level table, then
# a DMA fault), then nest_demo (a guest's table nested on a stage 2 linked
# to a KVM VM, a VT-d vIOMMU forwarding the guest's invalidations and
# faults), and unload.
# $1 is the module build directory, $2 the directory holding the demos.
#
# A step that fails is reported and the demonstration goes on with what
# can still be shown; the exit status is 1 if any step failed. Nothing
# here waits without a time limit.
set -uo pipefail
usage="usage: guest-demo.sh MODDIR DEMODIR"
mods=${1:?$usage}
demo=${2:?$usage}
intel=$mods/drivers/iommu/intel
iommufd=$mods/drivers/iommu/iommufd
debugfs=/sys/kernel/debug/intel-vtd
rc=0

heading() { printf '\n== %s\n' "$*"; }
indent() { sed 's/^/    /'; }
failed() { echo "  FAILED: $*"; rc=1; }

# The driver's kernel log lines, from line $1 on (1: all of them).
vtd_log() { dmesg | grep -E 'intel[-_]vtd' | tail -n "+$1"; }
vtd_log_lines() { vtd_log 1 | wc -l; }
show_vtd_log() { # from line
	local lines
	lines=$(vtd_log "$1")
	echo "  what intel-vtd said:"
	if [ -n "$lines" ]; then indent <<<"$lines"; else echo "    (nothing)"; fi
}

run() { # what command...
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		echo "  $what: ok"
	else
		failed "$what: ${out:-exit status $?}"
	fi
}

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug

echo "vtd-nest demonstration (in the guest)"
echo "====================================="
if grep -qw intel_iommu=off /proc/cmdline; then
	echo "The kernel's own VT-d driver is off (intel_iommu=off): the IOMMU is ours."
else
	echo "The kernel's own VT-d driver is on (a peer boot): intel-vtd will refuse"
	echo "the unit, and vtd_demo shows the kernel's driver instead."
fi

heading "Load intel-pgtable.ko (page tables), iommufd-viommu.ko (vIOMMU layer) and intel-vtd.ko (the driver)"
seen=$(vtd_log_lines)
run "insmod intel-pgtable.ko" insmod "$intel/intel-pgtable.ko"
run "insmod iommufd-viommu.ko" insmod "$iommufd/iommufd-viommu.ko"
if [ -e "$intel/intel-vtd.ko" ]; then
	run "insmod intel-vtd.ko" insmod "$intel/intel-vtd.ko"
else
	failed "$intel/intel-vtd.ko is not built"
fi
show_vtd_log $((seen + 1))

heading "What the unit offers: $debugfs/<unit>/caps"
shown=0
for caps in "$debugfs"/*/caps; do
	[ -e "$caps" ] || continue
	echo "  $caps:"
	paste - - <"$caps" | awk -F'\t' '{ printf "    %-32s %s\n", $1, $2 }'
	shown=1
done
[ "$shown" = 1 ] || echo "  no $debugfs/*/caps: intel-vtd is not loaded, or has no debugfs"

heading "vtd_demo: a device doing DMA through intel-vtd"
if [ -x "$demo/vtd_demo" ]; then
	timeout -k 5 120 "$demo/vtd_demo" 2>&1 | sed -u 's/^/  /'
	status=$?
	[ "$status" = 0 ] || failed "vtd_demo exited with status $status"
else
	failed "$demo/vtd_demo is not built"
fi

heading "nest_demo: a guest's page table nested on the host's, and a vIOMMU"
if [ -x "$demo/nest_demo" ]; then
	timeout -k 5 180 "$demo/nest_demo" 2>&1 | sed -u 's/^/  /'
	status=$?
	[ "$status" = 0 ] || failed "nest_demo exited with status $status"
else
	failed "$demo/nest_demo is not built"
fi

heading "Unload: edu off vfio-pci, release the devices, rmmod"
seen=$(vtd_log_lines)
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ] ||
		continue
	edu=${d##*/}
	if [ -e "/sys/bus/pci/drivers/vfio-pci/$edu" ]; then
		run "unbind edu $edu from vfio-pci" \
			sh -c "echo $edu >/sys/bus/pci/drivers/vfio-pci/unbind"
	fi
	case $(cat "$d/driver_override") in "" | "(null)") ;; *)
		run "clear edu $edu's driver_override" \
			sh -c "echo >$d/driver_override" ;;
	esac
done
if [ -d /sys/module/intel_vtd ]; then
	run "echo 1 >/sys/module/intel_vtd/parameters/release" \
		sh -c 'echo 1 >/sys/module/intel_vtd/parameters/release'
	run "rmmod intel-vtd" rmmod intel-vtd
fi
run "rmmod iommufd-viommu" rmmod iommufd-viommu
run "rmmod intel-pgtable" rmmod intel-pgtable
show_vtd_log $((seen + 1))

echo
[ "$rc" = 0 ] && echo "demonstration: every step worked" ||
	echo "demonstration: some steps FAILED (see above)"
exit "$rc"
