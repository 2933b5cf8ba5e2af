#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make run`, the main job: boot the emulated VT-d 3.0 host (QEMU q35 with
# a scalable-mode, first-stage intel-iommu) on the non-debug kernel, load
# the modules and show what the project does today: the driver at work
# on a real DMA (scripts/guest-demo.sh, vtd_demo), then the page-table
# benchmark (scripts/bench.sh) in a boot of its own.
#
# Exits non-zero if a step of the demonstration failed or the benchmark
# did not finish; the benchmark runs either way.
source "$(dirname "$0")/env.sh"
cd "$VTD_TOP"

cat <<'MSG'
vtd-nest demonstration
======================
Builds (once, cached) a Debian trixie build root and a test kernel, then
boots QEMU's emulated VT-d 3.0 host under TCG twice:

 1. intel-vtd.ko, our IOMMU driver, takes the emulated VT-d unit; QEMU's
    "edu" test device copies a buffer through the page table the driver
    built for it (driven from user space with iommufd and VFIO, as a VMM
    would), then writes to an address nothing maps, and the driver
    reports the fault. Then nesting: a KVM VM's guest RAM is the stage 2,
    the guest's own first-level table in that RAM is the stage 1, and a
    VT-d vIOMMU forwards the guest's invalidations and returns its faults,
    with edu doing the DMA through both stages.
 2. intel-pgtable.ko, the page-table library the driver builds on, timed
    against the kernel's own generic_pt x86_64 format (what the in-kernel
    VT-d driver uses for first-level tables) on the same work in the same
    boot. Times are nanoseconds under emulation: read the ratios.

MSG

kdir=$("$VTD_TOP/scripts/build-kernel.sh" fast)
make -s KERNEL=fast modules
demo=$VTD_TOP/.build/demo
rm -rf "$demo"
mkdir -p "$demo" .build/logs
"$VTD_TOP/scripts/in-root.sh" make -C tools/testing/selftests/vtd-nest \
	KDIR="$kdir" OUTPUT="$demo" "$demo/vtd_demo" "$demo/nest_demo" >/dev/null

# The console carries the kernel's log too: show the guest script's own
# lines from its banner on (it prints the driver's log lines itself).
set +e
"$VTD_TOP/scripts/vm.sh" --kernel fast --timeout 600 --log .build/logs/demo.log -- \
	scripts/guest-demo.sh "$VTD_TOP/.build/fast" "$demo" |
	sed -un '/^vtd-nest demonstration (in the guest)/,$p' |
	grep --line-buffered -vE '^\[ *[0-9]+\.[0-9]+\]'
demo_rc=${PIPESTATUS[0]}
set -e
case $demo_rc in
0) ;;
124) vtd_log "the demonstration ran past its time limit; see .build/logs/demo.log" ;;
*) vtd_log "the demonstration had failures (status $demo_rc); see .build/logs/demo.log" ;;
esac

echo
echo "Page-table benchmark"
echo "--------------------"
"$VTD_TOP/scripts/bench.sh" --pgtable
exit "$demo_rc"
