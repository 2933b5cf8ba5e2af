#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make check`: build everything against the debug kernel (KASAN, lockdep,
# kmemleak, fault injection), boot the emulated VT-d host once, run every
# KUnit suite and kselftest of the project in that boot, and summarise.
# Ends with "N passed, N failed[, N skipped]"; exits non-zero on any
# failure, a missing result, a guest crash or hang, or a kernel report.
source "$(dirname "$0")/env.sh"
cd "$VTD_TOP"

start=$(date +%s)
"$VTD_TOP/scripts/build-kernel.sh" debug >/dev/null
make -s KERNEL=debug modules

# Every suite the sources declare must report.
suites=$(grep -rhoE 'static struct kunit_suite [a-z0-9_]+ = \{' drivers |
	 sed 's/.*kunit_suite \([a-z0-9_]*\).*/\1/' | sort -u)
suite_names=$(for s in $suites; do
	grep -rhA3 "static struct kunit_suite $s = {" drivers |
	sed -n 's/.*\.name = "\([^"]*\)".*/\1/p'; done)

out=$VTD_TOP/.build/check
rm -rf "$out"
mkdir -p "$out"
set +e
"$VTD_TOP/scripts/vm.sh" --kernel debug --timeout "${VTD_CHECK_TIMEOUT:-2400}" \
	--log "$out/console.log" -- \
	scripts/guest-check.sh "$out/results" "$VTD_TOP/.build/debug" >/dev/null
vm_rc=$?
set -e

if [ "$vm_rc" != 0 ]; then
	echo "== last console lines"
	tail -n 40 "$out/console.log"
fi
echo "== results ($(($(date +%s) - start)) s in all)"
exec python3 "$VTD_TOP/scripts/results.py" "$out/results" "$out/console.log" \
	"$suite_names" "$vm_rc"
