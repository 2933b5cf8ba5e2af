#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Boot the emulated VT-d 3.0 host and run one command in it.
#
#   vm.sh [--kernel debug|fast] [--peer] [--timeout SEC] [--log FILE] -- CMD...
#
# QEMU q35 under TCG (KVM cannot run these guests here) with an intel-iommu
# in scalable mode with first-stage translation and no interrupt
# remapping, an edu and an igb device as DMA initiators, 2 vCPUs, 4 GiB.
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

set +e
timeout --kill-after=15 "$timeout" \
	vng --disable-kvm --disable-microvm --verbose --skip-modules \
	--cpus 2 --memory 4G --cwd "$top" --rwdir="$top=$top" \
	--append "$append" \
	--qemu-opts="-device $iommu -device edu,dma_mask=0xffffffffffffffff -device igb" \
	--exec "$*" O="$kdir" </dev/null 2>&1 | tee "$log"
exit "${PIPESTATUS[0]}"
' vm "$kdir" "$append" "$timeout" "$VTD_TOP" "$log" "$@"
