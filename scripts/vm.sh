#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Boot the emulated VT-d 3.0 host and run one command in it.
#
#   vm.sh [--kernel debug|fast] [--peer] [--timeout SEC] [--log FILE] -- CMD...
#
# QEMU q35 under TCG (KVM cannot run these guests here) with an intel-iommu
# in scalable mode with first-stage translation and no interrupt
# remapping, 2 vCPUs, 4 GiB, and this PCI topology of DMA initiators
# (none has a driver in the test kernel but edu's own tests):
#
#   00:0a.0  edu           the primary test device (first by address)
#   00:0b.0  igb
#   00:10.0  edu           a second device with an IOMMU group of its own
#   00:11.0  edu   } one multi-function device without ACS: one group
#   00:11.1  edu   }
#   00:12.0  PCIe root port with ACS      -> 01:00.0 igb (its own group)
#   00:13.0  PCIe root port without ACS   -> 02:00.0 igb (shares the
#                                            port's group)
#
# The root ports get their driver (pcieport) at boot, as on real hosts.
# The guest boots with the built-in VT-d driver off, so our modules can
# take the unit; --peer boots it with the built-in driver on instead, for
# comparisons in the same configuration. The guest sees the build root as
# its / (read-only) and the repository at the same path, writable.
#
# The whole console (kernel log included) goes to stdout and to --log.
# Exit status: the command's, 124 if the time limit ran out, 255 if the
# guest died.
source "$(dirname "$0")/env.sh"

kernel=fast peer=0 timeout=1800 log=
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--peer) peer=1; shift ;;
	--timeout) timeout=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--) shift; break ;;
	*) vtd_die "unknown option $1" ;;
	esac
done
[ $# -gt 0 ] || vtd_die "usage: vm.sh [--kernel debug|fast] [--peer] [--timeout SEC] [--log FILE] -- CMD..."

kdir=$("$VTD_TOP/scripts/build-kernel.sh" "$kernel")

if [ "$peer" = 1 ]; then
	iommu_args="intel_iommu=on intremap=off"
else
	iommu_args="intel_iommu=off intremap=off"
fi
# Our driver cannot offer interrupt remapping (see Documentation), so
# VFIO and iommufd must be told to accept devices without MSI isolation.
append="$iommu_args iommufd.allow_unsafe_interrupts=1 vfio_iommu_type1.allow_unsafe_interrupts=1"

[ -n "$log" ] || log=/dev/null

# At most two test VMs at a time on this machine (two cores): more TCG
# guests would only slow each other down and time out.
while :; do
	for slot in .vm.lock .vm.lock.1; do
		exec 8>"$VTD_CACHE/$slot"
		flock -n 8 && break 2
	done
	sleep 5
done
mkdir -p "$(dirname "$log")" 2>/dev/null || true

"$VTD_TOP/scripts/in-root.sh" /bin/bash -euo pipefail -c '
kdir=$1 append=$2 timeout=$3 top=$4 log=$5; shift 5

# QEMU renamed the VT-d properties (x-scalable-mode/x-flts in 10.0,
# scalable-mode/fsts later): ask this QEMU which names it has.
props=$(qemu-system-x86_64 -device intel-iommu,help 2>&1)
pick() { for p in "$@"; do
	grep -q "^ *$p=" <<<"$props" && { echo "$p"; return; }; done
	echo "QEMU intel-iommu lacks any of: $*" >&2; exit 1; }
sm=$(pick scalable-mode x-scalable-mode)
fs=$(pick fsts flts x-flts)
iommu="intel-iommu,$sm=on,$fs=on,intremap=off,aw-bits=48"
edu=edu,dma_mask=0xffffffffffffffff
devices="-device $iommu -device $edu -device igb
 -device $edu,addr=0x10
 -device $edu,addr=0x11.0,multifunction=on -device $edu,addr=0x11.1
 -device pcie-root-port,id=rp_acs,bus=pcie.0,addr=0x12,chassis=1
 -device igb,bus=rp_acs
 -device pcie-root-port,id=rp_noacs,bus=pcie.0,addr=0x13,chassis=2,disable-acs=on
 -device igb,bus=rp_noacs"
devices=$(echo $devices)

set +e
timeout --kill-after=15 "$timeout" \
	vng --disable-kvm --disable-microvm --verbose --skip-modules \
	--cpus 2 --memory 4G --cwd "$top" --rwdir="$top=$top" \
	--append "$append" \
	--qemu-opts="$devices" \
	--exec "$*" O="$kdir" </dev/null 2>&1 | tee "$log"
exit "${PIPESTATUS[0]}"
' vm "$kdir" "$append" "$timeout" "$VTD_TOP" "$log" "$@"
