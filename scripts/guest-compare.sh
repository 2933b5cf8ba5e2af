#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the test VM for the second part of `make bench`: one boot's
# samples of one IOMMU driver, ours (intel-vtd, loaded here) or the peer
# (the in-kernel intel_iommu, booted with intel_iommu=on). Everything is
# done the same way for both; only the name of the driver's fault handler
# and the invalidation trace event differ.
#
#   guest-compare.sh ours|peer MODDIR BENCHDIR OUTFILE
#
# MODDIR is the module build directory, BENCHDIR holds dma_map_benchmark
# (built from the kernel tree's tools/dma) and vtd_bench. OUTFILE gets
# "sample ROW UNIT VALUE" and "note TEXT" lines, in this order:
#
#   1. idle: three 5 s windows with nothing running; per second, the time
#      spent in the driver's fault handler (function_graph) and the
#      run time of all tasks (/proc/schedstat);
#   2. DMA API: edu 0000:00:0a.0 on the kernel's dma_map_benchmark
#      driver, its IOMMU group's type set to DMA (strict) and then
#      DMA-FQ (lazy) while no driver is bound; map+unmap latency of 4 KiB,
#      64 KiB and 1 MiB, 1 and 2 threads, REPS runs of 1 s each; then,
#      traced, invalidations per unmap of 4 KiB;
#   3. iommufd: vtd_bench iommufd REPS;
#   4. fault storm: vtd_bench storm 1000, traced as in 1.
#
# A failed step is noted and the rest still runs; exit status 1 if any
# step failed.
set -u
usage="usage: guest-compare.sh ours|peer MODDIR BENCHDIR OUTFILE"
driver=${1:?$usage}
mods=${2:?$usage}
bench=${3:?$usage}
out=${4:?$usage}
reps=${BENCH_REPS:-3}
storm=1000
edu=0000:00:0a.0
dev=/sys/bus/pci/devices/$edu
tracing=/sys/kernel/tracing
rc=0

: >"$out"
note() { echo "note $*" >>"$out"; echo "[bench] $*"; }
failed() { note "FAILED: $*"; rc=1; }
sample() { echo "sample $*" >>"$out"; }

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
mountpoint -q $tracing || mount -t tracefs nodev $tracing
# Kernel messages (the fault storm's) would cost serial-port time in
# whichever context printed them: keep them in the log, off the console.
dmesg -n 1
# 1 GiB of 2 MiB pages for vtd_bench, while memory is not fragmented.
echo 512 >/proc/sys/vm/nr_hugepages

case $driver in
ours)
	intel=$mods/drivers/iommu/intel
	for m in "$intel/intel-pgtable.ko" \
		"$mods/drivers/iommu/iommufd/iommufd-viommu.ko" \
		"$intel/intel-vtd.ko"; do
		insmod "$m" || failed "insmod $m"
	done
	handler=vtd_fault_work
	;;
peer)
	handler=dmar_fault
	;;
*)
	echo "$usage" >&2
	exit 2
	;;
esac
[ -e "$dev/iommu_group" ] || failed "edu $edu has no IOMMU group"
note "driver $driver: $(uname -r), $(nproc) CPUs, edu in group" \
	"$(basename "$(readlink "$dev/iommu_group")")," \
	"fault handler $handler"

# ---- tracing ----

# Time in one function and nothing under it: function_graph on that
# function alone, depth 1, so no other function is patched.
trace_fn_start() {
	echo 0 >$tracing/tracing_on
	echo nop >$tracing/current_tracer
	echo "$handler" >$tracing/set_ftrace_filter &&
		echo "$handler" >$tracing/set_graph_function &&
		echo 1 >$tracing/max_graph_depth &&
		echo function_graph >$tracing/current_tracer || return 1
	echo >$tracing/trace
	echo 1 >$tracing/tracing_on
}

# "CALLS MICROSECONDS" of the function since trace_fn_start.
trace_fn_sum() {
	echo 0 >$tracing/tracing_on
	awk -v fn="$handler" 'index($0, fn) && match($0, /[0-9]+\.[0-9]+ us/) {
		n++; us += substr($0, RSTART, RLENGTH - 3) }
		END { printf "%d %.3f\n", n, us }' $tracing/trace
}

trace_fn_stop() {
	echo 0 >$tracing/tracing_on
	echo nop >$tracing/current_tracer
	echo >$tracing/set_ftrace_filter
	echo >$tracing/set_graph_function
	echo 0 >$tracing/max_graph_depth
}

# Run time of all tasks on all CPUs, ns, into sched_ns (no subshell: the
# measurement must not fork).
sched_ns=0
read_sched() {
	local f
	sched_ns=0
	# "cpuN yld 0 sched goidle ttwu ttwu_local rq_cpu_time ..."
	while read -r -a f; do
		case ${f[0]} in cpu[0-9]*) sched_ns=$((sched_ns + f[7])) ;; esac
	done </proc/schedstat
}

# Microseconds since the epoch, without forking.
now_us() { now=${EPOCHREALTIME/./}; }

# ---- 1. idle ----

if trace_fn_start; then
	sleep 2
	for w in 1 2 3; do
		echo >$tracing/trace
		echo 1 >$tracing/tracing_on
		read_sched; s0=$sched_ns; now_us; t0=$now
		sleep 5
		read_sched; s1=$sched_ns; now_us; t1=$now
		read -r calls us <<<"$(trace_fn_sum)"
		secs=$(awk -v d=$((t1 - t0)) 'BEGIN { print d / 1e6 }')
		sample fault.idle_driver us/s \
			"$(awk -v u="$us" -v s="$secs" 'BEGIN { printf "%.3f", u / s }')"
		sample fault.idle_system us/s \
			"$(awk -v n=$((s1 - s0)) -v s="$secs" 'BEGIN { printf "%.3f", n / 1e3 / s }')"
		note "idle window $w: ${secs} s, $calls calls of $handler"
	done
	trace_fn_stop
else
	failed "function_graph on $handler (is it in available_filter_functions?)"
fi

# ---- 2. DMA API ----

edu_unbind() {
	[ -e "$dev/driver" ] || return 0
	echo "$edu" >"$dev/driver/unbind"
}

# Average map and unmap latency (us) of one dma_map_benchmark run.
dma_run() { # threads pages
	"$bench/dma_map_benchmark" -s 1 -t "$1" -g "$2" |
		awk '/^average (map|unmap) latency/ {
				v = $0; sub(/.*\(us\):/, "", v); sub(/ .*/, "", v)
				if (/unmap/) u = v; else m = v }
			END { if (m == "" || u == "") exit 1; print m, u }'
}

# Invalidations per 4 KiB unmap: the driver's own event against the
# core's iommu:unmap, over one traced second of 1 thread.
dma_trace_inval() { # mode
	local ev unmaps inv waits overrun
	if [ "$driver" = ours ]; then
		ev=intel_vtd/intel_vtd_inval
	else
		ev=intel_iommu/qi_submit
	fi
	echo 0 >$tracing/tracing_on
	echo 32768 >$tracing/buffer_size_kb
	echo >$tracing/trace
	echo 1 >$tracing/events/iommu/unmap/enable
	echo 1 >$tracing/events/$ev/enable
	echo 1 >$tracing/tracing_on
	dma_run 1 1 >/dev/null
	echo 0 >$tracing/tracing_on
	echo 0 >$tracing/events/iommu/unmap/enable
	echo 0 >$tracing/events/$ev/enable
	overrun=$(awk '/^overrun:/ { n += $2 } END { print n + 0 }' \
		$tracing/per_cpu/cpu*/stats)
	unmaps=$(grep -c ' unmap: ' $tracing/trace)
	inv=$(grep -c " ${ev#*/}: " $tracing/trace)
	# The in-kernel driver's event is per descriptor, its wait included.
	waits=$(grep -c ' qi_submit: inv_wait ' $tracing/trace)
	note "DMA API $1, traced 1 s of 4 KiB x1: $unmaps unmaps," \
		"$inv ${ev#*/} events ($waits of them wait descriptors)," \
		"overrun $overrun"
	echo >$tracing/trace
	echo 1408 >$tracing/buffer_size_kb
}

dma_mode() { # DMA|DMA-FQ label
	local type pages threads res size
	edu_unbind || { failed "unbinding $edu"; return; }
	echo "$1" >"$dev/iommu_group/type" 2>/dev/null
	type=$(cat "$dev/iommu_group/type")
	[ "$type" = "$1" ] || { failed "group type $type, not $1"; return; }
	echo dma_map_benchmark >"$dev/driver_override"
	echo "$edu" >/sys/bus/pci/drivers_probe 2>/dev/null
	[ -e /sys/kernel/debug/dma_map_benchmark ] ||
		{ failed "dma_map_benchmark did not bind $edu"; return; }
	for pages in 1 16 256; do
		size=$((pages * 4))k
		[ "$pages" = 256 ] && size=1m
		for threads in 1 2; do
			for _ in $(seq "$reps"); do
				res=$(dma_run "$threads" "$pages") ||
					{ failed "dma_map_benchmark -t $threads -g $pages"; continue; }
				sample "dma.$2.$size.t$threads" us \
					"$(awk -v r="$res" 'BEGIN { split(r, a, " "); printf "%.1f", a[1] + a[2] }')"
			done
		done
	done
	dma_trace_inval "$2"
	edu_unbind
	echo >"$dev/driver_override"
}

if [ -x "$bench/dma_map_benchmark" ]; then
	dma_mode DMA strict
	dma_mode DMA-FQ lazy
else
	failed "$bench/dma_map_benchmark is not built"
fi

# ---- 3. iommufd ----

"$bench/vtd_bench" iommufd "$reps" >>"$out" ||
	failed "vtd_bench iommufd (see its notes)"

# ---- 4. fault storm ----

faults_now() {
	if [ "$driver" = ours ]; then
		cat /sys/kernel/debug/intel-vtd/*/counters |
			awk '$1 == "faults" { f += $2 } $1 == "faults_dropped" { d += $2 }
				END { print f + 0, d + 0 }'
	else
		# One interrupt per fault record it finds set (dmarN).
		awk '$NF ~ /^dmar[0-9]+$/ { for (i = 2; i <= NF; i++)
				if ($i ~ /^[0-9]+$/) n += $i; else break }
			END { print n + 0, 0 }' /proc/interrupts
	fi
}

if trace_fn_start; then
	read -r f0 d0 <<<"$(faults_now)"
	"$bench/vtd_bench" storm $storm >>"$out" ||
		failed "vtd_bench storm (see its notes)"
	read -r calls us <<<"$(trace_fn_sum)"
	read -r f1 d1 <<<"$(faults_now)"
	trace_fn_stop
	sample fault.storm_driver ms \
		"$(awk -v u="$us" 'BEGIN { printf "%.3f", u / 1e3 }')"
	if [ "$driver" = ours ]; then
		note "storm: $calls calls of $handler, $((f1 - f0)) faults" \
			"reported, $((d1 - d0)) overflows (faults lost)"
	else
		note "storm: $calls calls of $handler, $((f1 - f0)) fault interrupts"
	fi
else
	failed "function_graph on $handler"
fi

dmesg >"${out%.txt}.dmesg"
exit $rc
