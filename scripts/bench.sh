#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make bench`: time intel-pgtable against the kernel's generic_pt x86_64
# format, and the software nesting engine against direct maps, in one boot
# of the non-debug kernel, and print the tables.
source "$(dirname "$0")/env.sh"
cd "$VTD_TOP"
"$VTD_TOP/scripts/build-kernel.sh" fast >/dev/null
make -s KERNEL=fast modules
mkdir -p .build/logs
"$VTD_TOP/scripts/vm.sh" --kernel fast --log .build/logs/bench.log -- \
	scripts/guest-bench.sh "$VTD_TOP/.build/fast" | grep -v '^\[' || true
for b in intel-pgtable-bench intel-vtd-nest-bench; do
	grep -q '^done' <(sed -n "s/.*$b: //p" .build/logs/bench.log) ||
		vtd_die "$b did not finish; see .build/logs/bench.log"
done
