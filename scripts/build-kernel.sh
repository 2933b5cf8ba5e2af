#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Build (once) the test kernel for a variant and print its tree's path.
#
#   debug: base.config + debug.config (KASAN, lockdep, kmemleak, fault
#          injection), used by `make check`;
#   fast:  base.config only, for quick iteration and benchmarks.
#
# The tree is virtme-ng's minimal config with our fragments merged, built
# from the root's linux-source package, and doubles as KDIR for our modules.
source "$(dirname "$0")/env.sh"

variant=${1:?usage: build-kernel.sh debug|fast}
case $variant in debug|fast) ;; *) vtd_die "unknown variant $variant" ;; esac

"$VTD_TOP/scripts/setup-root.sh"
kdir=$(vtd_kernel_dir "$variant")
# One build per tree: a second caller (another worktree, make check while
# make run builds) waits for the first and then uses its tree.
mkdir -p "$(dirname "$kdir")"
exec 9>"$kdir.lock"
flock 9
if [ -e "$kdir/.complete" ]; then
	echo "$kdir"
	exit 0
fi

read -r srcpkg srcver <<<"$(vtd_kernel_source)"
[ -n "$srcpkg" ] || vtd_die "no linux-source-7.x in the build root"
[ "$srcpkg" = linux-source-7.3 ] ||
	vtd_log "NOTE: linux-source-7.3 is not available; building $srcpkg $srcver"

frags="--config $VTD_TOP/kconfig/base.config"
[ "$variant" = debug ] && frags="$frags --config $VTD_TOP/kconfig/debug.config"

vtd_log "building the $variant kernel from $srcpkg $srcver in $kdir"
vtd_log "(about 20-25 minutes on 2 idle cores; cached for later runs)"
rm -rf "$kdir"
mkdir -p "$kdir"
"$VTD_TOP/scripts/in-root.sh" /bin/bash -euo pipefail -c '
	kdir=$1; shift
	cd "$kdir"
	tar -xf /usr/src/'"$srcpkg"'.tar.xz --strip-components=1
	vng --kconfig "$@" >/dev/null
	make -s olddefconfig
	make -s -j"$(nproc)" bzImage modules
	make -s headers
' build "$kdir" $frags

# Every option a fragment asks for must have survived the merge.
missing=0
for f in $frags; do
	[ "$f" = --config ] && continue
	while read -r line; do
		case $line in
		CONFIG_*=*) grep -qx "$line" "$kdir/.config" || { vtd_log "missing: $line"; missing=1; } ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }; opt=${opt%% *}
			grep -q "^$opt=[ym]" "$kdir/.config" && { vtd_log "not off: $opt"; missing=1; } ;;
		esac
	done <"$f"
done
[ "$missing" = 0 ] || vtd_die "the $variant kernel config lacks options its fragments ask for"

touch "$kdir/.complete"
echo "$kdir"
