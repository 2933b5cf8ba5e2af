#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make check`: build everything against the debug kernel (KASAN, lockdep,
# kmemleak, fault injection), boot the emulated VT-d host once, run every
# KUnit suite and kselftest of the project in that boot, and summarise.
# Before it, a short boot of the same kernel with the in-kernel VT-d
# driver (the peer) records its IOMMU groups, which ours must match.
# Ends with "N passed, N failed[, N skipped]"; exits non-zero on any
# failure, a missing result, a guest crash or hang, or a kernel report.
source "$(dirname "$0")/env.sh"
cd "$VTD_TOP"

start=$(date +%s)
since() { echo "$(($(date +%s) - $1)) s"; }
kdir=$("$VTD_TOP/scripts/build-kernel.sh" debug)
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

# The kselftests, built afresh into this run's directory against the debug
# kernel's headers: programs left in the source directory by a local build
# are never run, so a local run tests what CI tests. Every *_test built
# must report (results.py counts a missing TAP file as a failure).
mkdir -p "$out/selftests"
"$VTD_TOP/scripts/in-root.sh" make -C tools/testing/selftests/vtd-nest \
	KDIR="$kdir" OUTPUT="$out/selftests" all >/dev/null
kselftests=$(find "$out/selftests" -maxdepth 1 -type f -name '*_test' \
	     -perm -u+x -printf '%f\n' | sort)
[ -n "$kselftests" ] || vtd_die "no kselftest was built in $out/selftests"

# The harness's own guest programs.
mkdir -p "$out/bin"
"$VTD_TOP/scripts/in-root.sh" gcc -O2 -Wall -Wextra -isystem "$kdir/usr/include" \
	-o "$out/bin/hwpt-hold" scripts/hwpt-hold.c

set +e
# The peer: the in-kernel VT-d driver's IOMMU groups (scripts/iommu_groups.py).
# They depend only on the kernel, the VM's devices and the listing script,
# so a listing is cached under that key and the peer boot runs once per key.
t=$(date +%s)
mkdir -p "$out/peer"
peer_key=$( { echo "$kdir"; cat scripts/vm.sh scripts/guest-groups.sh; } | vtd_hash)
peer_cache=$VTD_CACHE/peer-groups-$peer_key.txt
peer_pid=
if [ -s "$peer_cache" ]; then
	cp "$peer_cache" "$out/peer/iommu-groups.txt"
	vtd_log "peer groups: cached ($peer_cache)"
else
	# Alongside the main boot (vm.sh has two slots): the two share the
	# CPUs while both boot; the peer then only lists and powers off,
	# early in the main boot's KUnit step.
	( "$VTD_TOP/scripts/vm.sh" --kernel debug --peer --timeout 900 \
		--log "$out/peer/console.log" -- \
		scripts/guest-groups.sh "$out/peer/iommu-groups.txt" >/dev/null &&
		[ -s "$out/peer/iommu-groups.txt" ] &&
		cp "$out/peer/iommu-groups.txt" "$peer_cache.tmp" &&
		mv "$peer_cache.tmp" "$peer_cache" ||
		vtd_log "the peer boot failed: see $out/peer/console.log"
	  vtd_log "peer boot: $(since "$t")" ) &
	peer_pid=$!
fi

t=$(date +%s)
"$VTD_TOP/scripts/vm.sh" --kernel debug --timeout "${VTD_CHECK_TIMEOUT:-4200}" \
	--log "$out/console.log" -- \
	scripts/guest-check.sh "$out/results" "$VTD_TOP/.build/debug" \
	"$out/selftests" "$out/bin" >/dev/null
vm_rc=$?
[ -z "$peer_pid" ] || wait "$peer_pid"
vtd_log "main boot: $(since "$t")"
set -e

if [ "$vm_rc" != 0 ]; then
	echo "== last console lines"
	tail -n 40 "$out/console.log"
fi
echo "== results ($(since "$start") in all)"
exec python3 "$VTD_TOP/scripts/results.py" "$out/results" "$out/console.log" \
	--suites "$suite_names" --kselftests "$kselftests" --guest-rc "$vm_rc" \
	--peer-groups "$out/peer/iommu-groups.txt"
