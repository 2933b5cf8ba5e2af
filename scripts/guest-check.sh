#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the test VM: load our modules, run every KUnit suite and
# every kselftest of the project, unload, and leave the results in $1:
#   kunit-<suite>.ktap, kselftest-<name>.tap and .rc (its exit status),
#   load.tap (module loading, unloading and the other steps as TAP),
#   kmemleak.txt, dmesg.txt.
# $2 is the module build directory, $3 the directory of the built
# kselftests (every executable *_test there is run).
#
# Order:
#   1. intel-pgtable, then every pure KUnit module (loaded, its KTAP kept,
#      unloaded);
#   2. intel-vtd; edu must then be in an IOMMU group (the built-in driver
#      is off, so only intel-vtd can have put it there: without this step
#      every DMA test below would merely skip);
#   3. the DMA-API KUnit module, with require_iommu=1;
#   4. every kselftest (they leave edu bound to vfio-pci);
#   5. unload: edu off vfio-pci, release, rmmod intel-vtd;
#   6. a second load of intel-vtd, in which fault_poll_ms must refuse
#      values outside 1-100, and rmmod and release must be refused while
#      edu is bound to vfio-pci; then unload again;
#   7. rmmod intel-pgtable, a kmemleak scan, dmesg.
# Every step runs whatever happened before it: a failure is counted, never
# a reason to stop.
set -u
usage="usage: guest-check.sh OUTDIR MODDIR SELFTESTDIR"
out=${1:?$usage}
mods=${2:?$usage}
tests=${3:?$usage}
intel=$mods/drivers/iommu/intel
dma_kunit="intel-vtd-dma-kunit"
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

# ---- edu, the DMA test device ----

edu=
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ]; then
		edu=${d##*/}
		break
	fi
done
log "edu: ${edu:-none}"

edu_driver() {
	local link
	link=$(readlink "/sys/bus/pci/devices/$edu/driver" 2>/dev/null) || return 0
	echo "${link##*/}"
}

edu_in_group() {
	[ -n "$edu" ] || { echo "no edu device"; return 1; }
	local group
	group=$(readlink "/sys/bus/pci/devices/$edu/iommu_group") ||
		{ echo "edu $edu has no IOMMU group"; return 1; }
	echo "edu $edu is in IOMMU group ${group##*/}"
}

edu_bind_vfio() {
	[ -n "$edu" ] || { echo "no edu device"; return 1; }
	echo vfio-pci >"/sys/bus/pci/devices/$edu/driver_override" || return 1
	# Its status does not matter: the driver link tells.
	echo "$edu" >/sys/bus/pci/drivers_probe
	[ "$(edu_driver)" = vfio-pci ] ||
		{ echo "edu's driver is '$(edu_driver)', not vfio-pci"; return 1; }
}

# Off vfio-pci, where the kselftests leave it, and no driver_override.
edu_unbind() {
	[ -n "$edu" ] || { echo "no edu device"; return 1; }
	if [ "$(edu_driver)" = vfio-pci ]; then
		echo "$edu" >/sys/bus/pci/drivers/vfio-pci/unbind || return 1
	fi
	echo >"/sys/bus/pci/devices/$edu/driver_override" || return 1
	[ -z "$(edu_driver)" ] ||
		{ echo "edu is still bound to $(edu_driver)"; return 1; }
}

# ---- intel-vtd ----

vtd_release() {
	echo 1 >/sys/module/intel_vtd/parameters/release
}

# The command must fail, and leave intel-vtd loaded and edu on vfio-pci.
refused() {
	if "$@"; then
		echo "succeeded, but must be refused while edu has a driver"
		return 1
	fi
	[ -d /sys/module/intel_vtd ] ||
		{ echo "intel_vtd is no longer loaded"; return 1; }
	[ "$(edu_driver)" = vfio-pci ] ||
		{ echo "edu is no longer bound to vfio-pci"; return 1; }
}

# 1 to 100 ms only: 0 would spin the poll work, more breaks the 100 ms bound.
poll_ms=/sys/module/intel_vtd/parameters/fault_poll_ms
fault_poll_ms_range() {
	local v
	for v in 0 101 x; do
		if echo "$v" 2>/dev/null >$poll_ms; then
			echo "fault_poll_ms=$v was accepted"
			return 1
		fi
	done
	[ "$(cat $poll_ms)" = 20 ] ||
		{ echo "a refused write changed it to $(cat $poll_ms)"; return 1; }
	echo 100 >$poll_ms && [ "$(cat $poll_ms)" = 100 ] ||
		{ echo "fault_poll_ms=100 not taken"; return 1; }
	echo 20 >$poll_ms
}

# ---- tracepoints ----

tracing=/sys/kernel/tracing
trace_on() {
	mountpoint -q $tracing || mount -t tracefs nodev $tracing || return 1
	echo 8192 >$tracing/buffer_size_kb &&
	echo >$tracing/trace &&
	echo 1 >$tracing/events/intel_vtd/enable
}

# Every intel_vtd event fired while the kselftests ran, and a fault event
# names edu.
trace_check() {
	local e c rc=0
	echo 0 >$tracing/events/intel_vtd/enable
	for e in map unmap inval fault; do
		c=$(grep -c " intel_vtd_$e:" $tracing/trace)
		echo "intel_vtd_$e: $c events"
		[ "$c" -gt 0 ] || rc=1
	done
	grep " intel_vtd_fault:" $tracing/trace | grep -q "${edu#0000:}" ||
		{ echo "no fault event of edu ($edu)"; rc=1; }
	grep -m1 " intel_vtd_fault:" $tracing/trace
	echo >$tracing/trace
	return $rc
}

# ---- KUnit ----

# KUnit runs a module's suites while it loads; debugfs keeps each suite's
# KTAP until the module goes away.
run_kunit() { # ko [module parameters...]
	local ko=$1 name d s before
	shift
	name=$(basename "$ko" .ko)
	before=$(ls /sys/kernel/debug/kunit 2>/dev/null)
	step "insmod $name${1:+ $*}" insmod "$ko" "$@"
	for d in /sys/kernel/debug/kunit/*; do
		[ -e "$d/results" ] || continue
		s=${d##*/}
		grep -qx "$s" <<<"$before" && continue
		cp "$d/results" "$out/kunit-$s.ktap"
	done
	step "rmmod $name" rmmod "$name"
}

# 1.
step "insmod intel-pgtable" insmod "$intel/intel-pgtable.ko"
for ko in $(find "$mods" -name '*-kunit.ko' ! -name "$dma_kunit.ko" | sort); do
	run_kunit "$ko"
done

# 2., 3.
step "insmod intel-vtd" insmod "$intel/intel-vtd.ko"
step "edu is behind intel-vtd" edu_in_group
run_kunit "$intel/$dma_kunit.ko" require_iommu=1
step "trace intel_vtd events" trace_on

# 4. A test that hangs is stopped; its exit status then says so.
for t in "$tests"/*_test; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	log "kselftest $name"
	timeout -k 10 900 "$t" >"$out/kselftest-$name.tap" 2>&1
	rc=$?
	echo "$rc" >"$out/kselftest-$name.rc"
	log "  exit $rc"
done

step "intel_vtd tracepoints fired" trace_check

# 5.
step "unbind edu from vfio-pci" edu_unbind
step "release intel-vtd's devices" vtd_release
step "rmmod intel-vtd" rmmod intel-vtd

# 6.
step "insmod intel-vtd again" insmod "$intel/intel-vtd.ko"
step "fault_poll_ms takes 1 to 100 ms only" fault_poll_ms_range
step "bind edu to vfio-pci" edu_bind_vfio
step "rmmod intel-vtd refused while edu is bound" refused rmmod intel-vtd
step "release refused while edu is bound" refused vtd_release
step "unbind edu from vfio-pci again" edu_unbind
step "release intel-vtd's devices again" vtd_release
step "rmmod intel-vtd again" rmmod intel-vtd

# 7.
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
