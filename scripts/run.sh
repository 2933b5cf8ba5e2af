#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make run`, the main job: boot the emulated VT-d 3.0 host (QEMU q35 with
# a scalable-mode, first-stage intel-iommu) on the non-debug kernel, load
# the modules and show what the project does today.
source "$(dirname "$0")/env.sh"
cd "$VTD_TOP"

cat <<'MSG'
vtd-nest demonstration
======================
Builds (once, cached) a Debian trixie build root and a test kernel, boots
QEMU's emulated VT-d 3.0 host under TCG and, inside it, loads
intel-pgtable.ko, the page-table library the driver builds on, and times
it against the kernel's own generic_pt x86_64 format (what the in-kernel
VT-d driver uses for first-level tables) on the same work in the same
boot. Times are nanoseconds under emulation: read the ratios.

MSG
"$VTD_TOP/scripts/bench.sh"
