#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the test VM: run the page-table benchmark module and the
# nesting-engine benchmark module and print their tables. $1 is the module
# build directory.
set -eu
mods=${1:?usage: guest-bench.sh MODDIR}
pt=$mods/drivers/iommu/intel
insmod "$pt/intel-pgtable.ko"
dmesg -C
insmod "$pt/intel-pgtable-bench.ko" ${BENCH_ARGS:-}
rmmod intel-pgtable-bench
dmesg | sed -n 's/.*intel-pgtable-bench: //p'
echo
dmesg -C
insmod "$pt/intel-vtd-nest-bench.ko" ${BENCH_ARGS:-}
rmmod intel-vtd-nest-bench
dmesg | sed -n 's/.*intel-vtd-nest-bench: //p'
rmmod intel-pgtable
