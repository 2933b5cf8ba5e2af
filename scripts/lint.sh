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

mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.c' '*.h')
echo "== checkpatch --strict (${#files[@]} files)"
"$VTD_TOP/scripts/in-root.sh" "$kdir/scripts/checkpatch.pl" --strict --no-tree \
	--quiet --show-types \
	-f "${files[@]}" || rc=1

echo "== W=1"
mkdir -p .build/logs
rm -rf .build/lint
"$VTD_TOP/scripts/in-root.sh" make -C "$kdir" M="$VTD_TOP" MO="$VTD_TOP/.build/lint" \
	W=1 modules >.build/logs/lint-w1.log 2>&1 || rc=1
grep -E 'warning:|error:' .build/logs/lint-w1.log && rc=1

# Debian's sparse (0.6.4, trixie and sid) predates kernel 7.3: it lacks
# __typeof_unqual__ (mapped to __typeof__ below, which is enough for a
# checker), reports every MODULE_*() and module_param() line as "bad
# constant expression" and KUnit's longest macros as "too long token
# expansion". Those two are dropped; any other sparse finding fails.
echo "== sparse (C=2)"
"$VTD_TOP/scripts/in-root.sh" make -C "$kdir" M="$VTD_TOP" MO="$VTD_TOP/.build/lint" \
	C=2 CHECK="sparse -D__typeof_unqual__=__typeof__" modules \
	>.build/logs/lint-sparse.log 2>&1 || rc=1
grep -q 'is not available or not up to date' .build/logs/lint-sparse.log &&
	{ echo "sparse did not run"; rc=1; }
python3 - .build/logs/lint-sparse.log <<'PY' || rc=1
import re, sys
bad = 0
for line in open(sys.argv[1]):
    m = re.match(r"(/[^:]+):(\d+):\d+: (warning|error): (.*)", line)
    if not m:
        continue
    src = open(m.group(1)).read().splitlines()[int(m.group(2)) - 1]
    if (m.group(4) == "bad constant expression" and
            re.match(r"(MODULE_|module_param)", src)) \
       or m.group(4) == "too long token expansion":
        continue
    print(line.rstrip())
    bad += 1
sys.exit(1 if bad else 0)
PY
[ "$rc" = 0 ] && echo "lint: clean" || echo "lint: findings above"
exit "$rc"
