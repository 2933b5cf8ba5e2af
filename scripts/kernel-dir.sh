#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Print the built test-kernel tree for a variant, or fail if not built yet.
source "$(dirname "$0")/env.sh"
[ -e "$VTD_ROOT/.complete" ] || exit 1
kdir=$(vtd_kernel_dir "${1:?usage: kernel-dir.sh debug|fast}")
[ -e "$kdir/.complete" ] || exit 1
echo "$kdir"
