#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make lint`: checkpatch --strict on every C file and header of ours, and
# a rebuild of every module with W=1 and sparse (C=2 checks all files).
# Uses the kernel tree's own scripts; fails on any finding.
source "$(dirname "$0")/env.sh"
cd "$VTD_TOP"
kernel=${KERNEL:-fast}
kdir=$("$VTD_TOP/scripts/build-kernel.sh" "$kernel")
rc=0

mapfile -t files < <(git ls-files '*.c' '*.h')
echo "== checkpatch --strict (${#files[@]} files)"
"$VTD_TOP/scripts/in-root.sh" "$kdir/scripts/checkpatch.pl" --strict --no-tree \
	--quiet --show-types \
	-f "${files[@]}" || rc=1

echo "== W=1 and sparse"
log=.build/logs/lint-build.log
mkdir -p .build/logs
rm -rf ".build/lint"
"$VTD_TOP/scripts/in-root.sh" make -C "$kdir" M="$VTD_TOP" MO="$VTD_TOP/.build/lint" \
	W=1 C=2 modules >"$log" 2>&1 || rc=1
if grep -E 'warning:|error:' "$log"; then
	rc=1
fi
[ "$rc" = 0 ] && echo "lint: clean" || echo "lint: findings above"
exit "$rc"
