#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make bench`, on the non-debug kernel, in two parts:
#
#   1. intel-pgtable against the kernel's generic_pt x86_64 format, and
#      the software nesting engine against direct maps, in one boot
#      (scripts/guest-bench.sh);
#   2. intel-vtd against the in-kernel intel_iommu: BENCH_BOOTS (default
#      2) boots of each driver, alternating (ours, in-kernel, ours, ...),
#      each running scripts/guest-compare.sh; then one table of both
#      (scripts/bench-table.py).
#
#   bench.sh [--pgtable]      --pgtable: part 1 only (make run shows it)
#
# BENCH_REPS (default 3) is the number of runs of each DMA API and
# iommufd row in every boot.
source "$(dirname "$0")/env.sh"
cd "$VTD_TOP"
part=all
[ "${1:-}" = --pgtable ] && part=pgtable
start=$(date +%s)
kdir=$("$VTD_TOP/scripts/build-kernel.sh" fast)
make -s KERNEL=fast modules
mkdir -p .build/logs
"$VTD_TOP/scripts/vm.sh" --kernel fast --log .build/logs/bench.log -- \
	scripts/guest-bench.sh "$VTD_TOP/.build/fast" | grep -v '^\[' || true
for b in intel-pgtable-bench intel-vtd-nest-bench; do
	grep -q '^done' <(sed -n "s/.*$b: //p" .build/logs/bench.log) ||
		vtd_die "$b did not finish; see .build/logs/bench.log"
done
[ "$part" = pgtable ] && exit 0

# The kernel's own DMA API benchmark tool, built from the kernel tree by
# its own Makefile, and vtd_bench from the selftest directory.
out=$VTD_TOP/.build/bench
rm -rf "$out"
mkdir -p "$out/runs"
"$VTD_TOP/scripts/in-root.sh" make -s -C "$kdir/tools/dma" OUTPUT="$out/" >/dev/null
"$VTD_TOP/scripts/in-root.sh" make -s -C tools/testing/selftests/vtd-nest \
	KDIR="$kdir" OUTPUT="$out" "$out/vtd_bench" >/dev/null

boots=${BENCH_BOOTS:-2}
echo
echo "intel-vtd against the in-kernel intel_iommu ($boots boots of each, alternating)"
for i in $(seq "$boots"); do
	for drv in ours peer; do
		log=.build/logs/bench-$i-$drv.log
		peer=()
		[ "$drv" = peer ] && peer=(--peer)
		vtd_log "boot $i of $boots: $drv ($(($(date +%s) - start)) s so far)"
		set +e
		"$VTD_TOP/scripts/vm.sh" --kernel fast \
			"${peer[@]}" --timeout 1800 --log "$log" -- \
			env BENCH_REPS="${BENCH_REPS:-3}" scripts/guest-compare.sh "$drv" \
			"$VTD_TOP/.build/fast" "$out" "$out/runs/$i-$drv.txt" >/dev/null
		rc=$?
		set -e
		[ "$rc" = 0 ] || vtd_log "boot $i ($drv) ended with status $rc; see $log"
	done
done
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -n), $(nproc) host cores," \
	"QEMU TCG, 2 vCPUs, 4 GiB"
python3 "$VTD_TOP/scripts/bench-table.py" "$out"/runs/*.txt
vtd_log "make bench took $(($(date +%s) - start)) s"
