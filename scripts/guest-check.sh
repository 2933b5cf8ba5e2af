#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the test VM: load our modules, run every KUnit suite and
# every kselftest of the project, and leave the results in $1:
#   kunit-<suite>.ktap, kselftest-<name>.tap, load.tap (module loading and
#   unloading as TAP), kmemleak.txt, dmesg.txt.
set -u
out=${1:?usage: guest-check.sh OUTDIR}
mods=${2:?usage: guest-check.sh OUTDIR MODDIR}
mkdir -p "$out"
rm -f "$out"/*

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug

n=0
load_tap() { # result name
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi >>"$out/load.tap"
}

log() { echo "[guest $(cut -d' ' -f1 /proc/uptime)] $*"; }

step() { # name command...
	local name=$1; shift
	log "$name"
	"$@" >"$out/step.log" 2>&1
	local rc=$?
	sed 's/^/[guest]   /' "$out/step.log"
	load_tap "$rc" "$name"
	return "$rc"
}

step "insmod intel-pgtable" insmod "$mods/drivers/iommu/intel/intel-pgtable.ko"

# KUnit suites run when their module loads; debugfs keeps each suite's
# KTAP until the module goes away.
for ko in $(find "$mods" -name '*-kunit.ko' | sort); do
	name=$(basename "$ko" .ko)
	before=$(ls /sys/kernel/debug/kunit 2>/dev/null)
	step "insmod $name" insmod "$ko"
	for s in $(ls /sys/kernel/debug/kunit 2>/dev/null); do
		grep -qx "$s" <<<"$before" && continue
		cp "/sys/kernel/debug/kunit/$s/results" "$out/kunit-$s.ktap"
	done
	step "rmmod $name" rmmod "$name"
done

for t in tools/testing/selftests/vtd-nest/*_test; do
	[ -x "$t" ] || continue
	log "kselftest $(basename "$t")"
	"$t" >"$out/kselftest-$(basename "$t").tap" 2>&1
	log "  exit $?"
done

step "rmmod intel-pgtable" rmmod intel-pgtable

# One scan reports every unreferenced object older than kmemleak's minimum
# age (5 s); the modules went away before that. A scan of guest memory
# takes minutes under TCG, so only one.
if [ -e /sys/kernel/debug/kmemleak ]; then
	sleep 5
	log "kmemleak scan"
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >"$out/kmemleak.txt"
fi
dmesg >"$out/dmesg.txt"
echo "1..$n" >>"$out/load.tap"
rm -f "$out/step.log"
log "done"
