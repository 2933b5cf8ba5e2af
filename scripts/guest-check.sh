#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the test VM: load our modules, run every KUnit suite and
# every kselftest of the project, unload, and leave the results in $1:
#   kunit-<suite>.ktap, kselftest-<name>.tap and .rc (its exit status),
#   load.tap (module loading, unloading and the other steps as TAP),
#   groups-before.txt and groups-ours.txt (IOMMU groups and PCI drivers
#   before and after intel-vtd first loads, see guest-groups.sh),
#   kernel-state.txt (lockdep, DMA-API debug and table-page counters),
#   kmemleak-1.txt and kmemleak-2.txt (two scans), dmesg.txt.
# $2 is the module build directory, $3 the directory of the built
# kselftests (every executable *_test there is run; vtd_demo is used for
# DMA), $4 the directory of the harness's own guest programs (hwpt-hold).
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
#   7. robustness: five cycles of load, one DMA, release, unload; rmmod
#      and release refused while a program holds a HWPT with edu attached
#      (and DMA works after), and while the kernel's dma_map_benchmark
#      driver drives edu through the DMA API; then unload;
#   8. intel-pgtable has no table page in use; rmmod intel-pgtable; the
#      table-page counters of /proc/vmstat did not grow since step 1;
#   9. lockdep and DMA-API debugging still on and silent; two kmemleak
#      scans; dmesg.
# Every step runs whatever happened before it: a failure is counted, never
# a reason to stop.
set -u
usage="usage: guest-check.sh OUTDIR MODDIR SELFTESTDIR TOOLDIR"
out=${1:?$usage}
mods=${2:?$usage}
tests=${3:?$usage}
tools=${4:?$usage}
scripts=$(dirname "$0")
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

# The primary edu is 00:0a.0 (vm.sh); on another topology, the first one.
primary_edu=0000:00:0a.0
edu=
if [ -e /sys/bus/pci/devices/$primary_edu ]; then
	edu=$primary_edu
else
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ]; then
			edu=${d##*/}
			break
		fi
	done
fi
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

edu_bind() { # driver
	[ -n "$edu" ] || { echo "no edu device"; return 1; }
	echo "$1" >"/sys/bus/pci/devices/$edu/driver_override" || return 1
	# Its status does not matter: the driver link tells.
	echo "$edu" >/sys/bus/pci/drivers_probe
	[ "$(edu_driver)" = "$1" ] ||
		{ echo "edu's driver is '$(edu_driver)', not $1"; return 1; }
}

edu_bind_vfio() {
	edu_bind vfio-pci
}

# Off its driver (vfio-pci, where the kselftests and vtd_demo leave it, or
# any other), and no driver_override.
edu_unbind() {
	[ -n "$edu" ] || { echo "no edu device"; return 1; }
	local drv
	drv=$(edu_driver)
	if [ -n "$drv" ]; then
		echo "$edu" >"/sys/bus/pci/drivers/$drv/unbind" || return 1
	fi
	echo >"/sys/bus/pci/devices/$edu/driver_override" || return 1
	[ -z "$(edu_driver)" ] ||
		{ echo "edu is still bound to $(edu_driver)"; return 1; }
	other_edus_unbind
}

# The other edus (00:10.0) go back to no driver too: the tests that use
# them undo their vfio-pci bind, but not when they fail half-way. (Shell
# built-ins only: a fork per device costs a second in the debug guest.)
other_edus_unbind() {
	local d vendor device
	for d in /sys/bus/pci/devices/*; do
		[ "${d##*/}" != "$edu" ] || continue
		read -r vendor <"$d/vendor" && read -r device <"$d/device" || return 1
		[ "$vendor" = 0x1234 ] && [ "$device" = 0x11e8 ] || continue
		if [ -e "$d/driver" ]; then
			echo "${d##*/} was left on a driver"
			echo "${d##*/}" >"$d/driver/unbind" || return 1
		fi
		echo >"$d/driver_override" || return 1
	done
}

# ---- intel-vtd ----

vtd_release() {
	echo 1 >/sys/module/intel_vtd/parameters/release
}

# The command must fail, and leave intel-vtd loaded and edu on the driver.
refused() { # driver command...
	local drv=$1
	shift
	if "$@"; then
		echo "succeeded, but must be refused while edu has a driver"
		return 1
	fi
	[ -d /sys/module/intel_vtd ] ||
		{ echo "intel_vtd is no longer loaded"; return 1; }
	[ "$(edu_driver)" = "$drv" ] ||
		{ echo "edu is no longer bound to $drv"; return 1; }
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

# One real DMA through intel-vtd: vtd_demo gives edu to vfio-pci, maps two
# buffers through /dev/iommu, lets edu copy one into the other and checks
# every byte (it then provokes one DMA fault). It leaves edu on vfio-pci.
dma_works() {
	local demo=$tests/vtd_demo
	[ -x "$demo" ] || { echo "no $demo"; return 1; }
	if ! "$demo" >"$out/demo.log" 2>&1 ||
	   ! grep -m1 'B equals A' "$out/demo.log"; then
		tail -n 20 "$out/demo.log"
		echo "vtd_demo failed"
		return 1
	fi
}

# insmod intel-vtd, one DMA, release, rmmod: each part is tried and told.
vtd_cycle() {
	local rc=0
	insmod "$intel/intel-vtd.ko" || { echo "insmod intel-vtd failed"; return 1; }
	dma_works || rc=1
	edu_unbind || rc=1
	vtd_release || { echo "release refused"; rc=1; }
	rmmod intel-vtd || { echo "rmmod intel-vtd failed"; rc=1; }
	return $rc
}

# hwpt-hold, in the background: /dev/iommu, edu's VFIO cdev bound, an IOAS
# and a HWPT with edu attached, held until killed.
hold_pid=
hwpt_hold_start() {
	local i
	[ -x "$tools/hwpt-hold" ] || { echo "no $tools/hwpt-hold"; return 1; }
	"$tools/hwpt-hold" "$edu" >"$out/hwpt-hold.log" 2>&1 &
	hold_pid=$!
	for i in $(seq 100); do
		if grep -q '^ready' "$out/hwpt-hold.log"; then
			cat "$out/hwpt-hold.log"
			return 0
		fi
		kill -0 "$hold_pid" 2>/dev/null || break
		sleep 0.2
	done
	cat "$out/hwpt-hold.log"
	echo "hwpt-hold did not get ready"
	return 1
}

# It must still be holding the HWPT when it is stopped.
hwpt_hold_stop() {
	[ -n "$hold_pid" ] || { echo "hwpt-hold was not started"; return 1; }
	if ! kill "$hold_pid" 2>/dev/null; then
		wait "$hold_pid"
		echo "hwpt-hold had exited with status $?:"
		cat "$out/hwpt-hold.log"
		return 1
	fi
	wait "$hold_pid"
	hold_pid=
	echo "hwpt-hold stopped; its files are closed"
}

# ---- counters and state ----

# The counters of table pages allocated through the kernel's IOMMU and
# secondary page-table accounting, whichever exist. stat_refresh folds the
# per-CPU deltas in first, so the values are exact.
table_pages() {
	echo 1 >/proc/sys/vm/stat_refresh
	grep -E '^(nr_iommu_pages|nr_sec_page_table_pages) ' /proc/vmstat
}

table_pages_did_not_grow() {
	local name before after rc=0
	table_pages >"$out/table-pages-after.txt"
	while read -r name before; do
		after=$(awk -v n="$name" '$1 == n { print $2 }' "$out/table-pages-after.txt")
		echo "$name: $before before the first insmod, $after after the last rmmod"
		echo "vmstat $name: $before $after" >>"$out/kernel-state.txt"
		[ "${after:-0}" -le "$before" ] || rc=1
	done <"$out/table-pages-before.txt"
	[ -s "$out/table-pages-before.txt" ] ||
		echo "(neither counter exists in this kernel)"
	return $rc
}

# intel-pgtable's own count (the file may not exist yet).
pgtable_pages=/sys/kernel/debug/intel-pgtable/pages_in_use
pgtable_no_pages_in_use() {
	if [ ! -e $pgtable_pages ]; then
		echo "no $pgtable_pages in this intel-pgtable: not checked"
		return 0
	fi
	local v
	v=$(cat $pgtable_pages)
	echo "pages_in_use: $v"
	echo "intel-pgtable pages_in_use: $v" >>"$out/kernel-state.txt"
	[ "$v" = 0 ]
}

# Lockdep switches itself off after its first report (and on some of its
# own limits): debug_locks 0 means the locking was not checked to the end.
lockdep_stats=/proc/lockdep_stats
lockdep_still_on() {
	local v
	v=$(awk '$1 == "debug_locks:" { print $2 }' $lockdep_stats 2>/dev/null)
	echo "debug_locks: ${v:-none}" | tee -a "$out/kernel-state.txt"
	[ "$v" = 1 ]
}

# CONFIG_DMA_API_DEBUG counts every misuse it found (it prints only the
# first); disabled means it ran out of memory and stopped checking.
dma_api=/sys/kernel/debug/dma-api
dma_api_debug_clean() {
	local errors disabled
	errors=$(cat $dma_api/error_count 2>/dev/null)
	disabled=$(cat $dma_api/disabled 2>/dev/null)
	echo "dma-api error_count: ${errors:-none}" | tee -a "$out/kernel-state.txt"
	echo "dma-api disabled: ${disabled:-none}" | tee -a "$out/kernel-state.txt"
	[ "$errors" = 0 ] && [ "$disabled" = N ]
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

# ---- unit state: fault events, hot-remove, release ----
vtd_dbg=/sys/kernel/debug/intel-vtd/vtd0

reg_value() { awk -v r="$1" '$1 == r { print $3; exit }' $vtd_dbg/regs; }

# Fault events masked (FECTL.IM, bit 31) and the message registers clear.
fault_event_masked() {
	local fectl fedata feaddr
	fectl=$(reg_value FECTL) fedata=$(reg_value FEDATA) feaddr=$(reg_value FEADDR)
	echo "FECTL $fectl FEDATA $fedata FEADDR $feaddr"
	[ -n "$fectl" ] && [ -n "$fedata" ] && [ -n "$feaddr" ] ||
		{ echo "FECTL, FEDATA or FEADDR missing from $vtd_dbg/regs"; return 1; }
	(( fectl & (1 << 31) )) || { echo "FECTL.IM is clear"; return 1; }
	(( fedata == 0 && feaddr == 0 )) || { echo "fault event message registers not cleared"; return 1; }
}

# A device kept in pass-through (the watchdog, driven before we loaded)
# that goes away takes its context entry along; rescanned, it is probed
# by the core like any new device and translated.
hot_remove_passthrough() {
	local bdf=0000:00:03.0 short=00:03.0 drv
	grep -q "^$short pasid0 pass-through" $vtd_dbg/context ||
		{ echo "$short is not in pass-through:"; grep "^$short" $vtd_dbg/context; return 1; }
	echo 1 >/sys/bus/pci/devices/$bdf/remove || return 1
	if grep "^$short " $vtd_dbg/context; then
		echo "its context entry outlived the device"; return 1
	fi
	echo 1 >/sys/bus/pci/rescan || return 1
	[ -e /sys/bus/pci/devices/$bdf ] || { echo "$bdf did not come back"; return 1; }
	grep "^$short " $vtd_dbg/context
	grep -q "^$short pasid0 first-level" $vtd_dbg/context ||
		{ echo "not translated after the rescan"; return 1; }
	# Its driver bound again through our DMA domain: unbind it, so that
	# release is not refused.
	drv=$(readlink /sys/bus/pci/devices/$bdf/driver) &&
		echo $bdf >"/sys/bus/pci/drivers/${drv##*/}/unbind"
	return 0
}

# After release translation stays on (GSTS.TE, bit 31) and no device
# has a translating entry any more: only pass-through ones are left.
released_state() {
	local gsts
	gsts=$(reg_value GSTS)
	echo "GSTS $gsts"
	(( gsts & (1 << 31) )) || { echo "translation is off after release"; return 1; }
	if grep -v " pass-through " $vtd_dbg/context; then
		echo "entries other than pass-through are left"; return 1
	fi
}

# inval_fail MODE: fails the unit on purpose, so it runs alone in a load of
# intel-vtd of its own, which is unloaded after it; TAP and exit status are
# kept like a kselftest's.
inval_fail() {
	local name=inval_fail-$1 rc
	log "$name"
	timeout -k 10 600 "$tests/inval_fail" "$1" >"$out/kselftest-$name.tap" 2>&1
	rc=$?
	echo "$rc" >"$out/kselftest-$name.rc"
	log "  exit $rc"
}

# Kill what is left of a test program; fail if anything was.
no_leftover() { # name
	local pids
	pids=$(pgrep -x "${1:0:15}")
	[ -z "$pids" ] && return 0
	ps -o pid,stat,wchan:32,cmd -p $pids
	kill -KILL $pids
	echo "$1 left these processes behind (killed now)"
	return 1
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

# The automatic kmemleak scan (every 10 minutes) would run in the middle
# of the tests and slow them down; the two scans at the end do its job.
[ -e /sys/kernel/debug/kmemleak ] && echo scan=off >/sys/kernel/debug/kmemleak

table_pages >"$out/table-pages-before.txt"

# 1.
step "insmod intel-pgtable" insmod "$intel/intel-pgtable.ko"
step "insmod iommufd-viommu" insmod "$mods/drivers/iommu/iommufd/iommufd-viommu.ko"
for ko in $(find "$mods" -name '*-kunit.ko' ! -name "$dma_kunit.ko" | sort); do
	run_kunit "$ko"
done

# 2., 3. The groups and drivers before and after, for the comparison with
# the in-kernel driver's groups (scripts/iommu_groups.py).
"$scripts/guest-groups.sh" >"$out/groups-before.txt"
step "insmod intel-vtd" insmod "$intel/intel-vtd.ko"
"$scripts/guest-groups.sh" >"$out/groups-ours.txt"
step "edu is behind intel-vtd" edu_in_group
step "fault events masked, message registers clear" fault_event_masked
run_kunit "$intel/$dma_kunit.ko" require_iommu=1
step "trace intel_vtd events" trace_on

# 4. A test that hangs is stopped (after 25 minutes: the fuzz test allows
# up to 20); its exit status then says so.
for t in "$tests"/*_test; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	log "kselftest $name"
	timeout -k 10 1500 "$t" >"$out/kselftest-$name.tap" 2>&1
	rc=$?
	echo "$rc" >"$out/kselftest-$name.rc"
	log "  exit $rc"
	# A process it forked and left behind would keep its files (a VFIO
	# device: unbinding edu would then wait forever).
	step "$name left no process behind" no_leftover "$name"
done

step "intel_vtd tracepoints fired" trace_check

# 5.
step "unbind edu from vfio-pci" edu_unbind
step "release intel-vtd's devices" vtd_release
step "rmmod intel-vtd" rmmod intel-vtd

# 5a. Failed and timed-out invalidations, each in a load of its own.
for mode in errors timeout; do
	step "insmod intel-vtd for inval_fail $mode" insmod "$intel/intel-vtd.ko"
	inval_fail $mode
	step "unbind edu after inval_fail $mode" edu_unbind
	step "release after inval_fail $mode" vtd_release
	# Unload frees what the failed unit kept, and says so.
	echo "vtd-nest: expect errors: unload after inval_fail" >/dev/kmsg
	step "rmmod intel-vtd after inval_fail $mode" rmmod intel-vtd
	echo "vtd-nest: end of expected errors: unload after inval_fail" >/dev/kmsg
done

# 6.
step "insmod intel-vtd again" insmod "$intel/intel-vtd.ko"
step "fault_poll_ms takes 1 to 100 ms only" fault_poll_ms_range
step "hot-removed pass-through device loses its context entry" hot_remove_passthrough
step "bind edu to vfio-pci" edu_bind_vfio
step "rmmod intel-vtd refused while edu is bound" refused vfio-pci rmmod intel-vtd
step "release refused while edu is bound" refused vfio-pci vtd_release
step "unbind edu from vfio-pci again" edu_unbind
step "release intel-vtd's devices again" vtd_release
step "after release: translation on, pass-through entries only" released_state
step "rmmod intel-vtd again" rmmod intel-vtd

# 7.
for i in 1 2 3 4 5; do
	step "cycle $i: insmod intel-vtd, DMA, release, rmmod" vtd_cycle
done
step "insmod intel-vtd for the refusals" insmod "$intel/intel-vtd.ko"
step "bind edu to vfio-pci for hwpt-hold" edu_bind_vfio
step "hwpt-hold holds a HWPT with edu attached" hwpt_hold_start
step "rmmod intel-vtd refused while a HWPT is held" refused vfio-pci rmmod intel-vtd
step "release refused while a HWPT is held" refused vfio-pci vtd_release
step "stop hwpt-hold" hwpt_hold_stop
step "DMA through intel-vtd after the refusals" dma_works
step "unbind edu from vfio-pci after DMA" edu_unbind
step "bind edu to dma_map_benchmark" edu_bind dma_map_benchmark
step "rmmod intel-vtd refused while dma_map_benchmark drives edu" \
	refused dma_map_benchmark rmmod intel-vtd
step "release refused while dma_map_benchmark drives edu" \
	refused dma_map_benchmark vtd_release
step "unbind edu from dma_map_benchmark" edu_unbind
step "release intel-vtd's devices at the end" vtd_release
step "rmmod intel-vtd at the end" rmmod intel-vtd

# 8.
step "intel-pgtable has no table page in use" pgtable_no_pages_in_use
step "rmmod iommufd-viommu" rmmod iommufd-viommu
step "rmmod intel-pgtable" rmmod intel-pgtable
step "no table page left allocated (/proc/vmstat)" table_pages_did_not_grow

# 9.
step "lockdep is still on" lockdep_still_on
step "DMA-API debugging found no error" dma_api_debug_clean

# kmemleak reports an object only when two scans in a row find it
# unreferenced and unchanged, and only once it is older than 5 s: wait,
# scan, scan again. Each scan of guest memory takes a while under TCG.
if [ -e /sys/kernel/debug/kmemleak ]; then
	sleep 5
	for i in 1 2; do
		log "kmemleak scan $i"
		echo scan >/sys/kernel/debug/kmemleak
		cat /sys/kernel/debug/kmemleak >"$out/kmemleak-$i.txt"
	done
fi
dmesg >"$out/dmesg.txt"
echo "1..$n" >>"$out/load.tap"
rm -f "$out/step.log"
log "done"
