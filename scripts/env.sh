# SPDX-License-Identifier: GPL-2.0-only
# Common settings for the harness scripts; sourced, never run.
#
# Everything expensive lives in $VTD_CACHE, outside the repository, in
# directories named after a hash of what they were built from, so a change
# to an input rebuilds and an unchanged input is reused.

set -euo pipefail

VTD_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VTD_CACHE=${VTD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vtd-nest}

# Packages of the trixie build root. Changing this list makes a new root.
# No udev or systemd: virtme-init runs systemd-tmpfiles and udevd when they
# exist, which costs minutes under TCG with the debug kernel; devtmpfs
# creates every device node the tests need.
VTD_ROOT_PACKAGES="gcc gcc-14 make bc bison flex libelf-dev libssl-dev
 libc6-dev cpio kmod python3 perl file xz-utils zstd rsync git sparse
 qemu-system-x86 virtme-ng busybox-static mount kbd iproute2
 util-linux-extra procps ca-certificates pciutils"
VTD_ROOT_BACKPORTS="linux-source-7.3"

vtd_log() { printf '[vtd] %s\n' "$*" >&2; }
vtd_die() { printf '[vtd] error: %s\n' "$*" >&2; exit 1; }

vtd_hash() { sha256sum | cut -c1-16; }

# Files copied into the root as they are (see root-overlay/).
VTD_ROOT_OVERLAY=$VTD_TOP/scripts/root-overlay

vtd_root_key() {
	{ printf '%s\n%s\n' "$VTD_ROOT_PACKAGES" "$VTD_ROOT_BACKPORTS"
	  (cd "$VTD_ROOT_OVERLAY" && find . | sort | while read -r f; do
		echo "$f"
		if [ -L "$f" ]; then readlink "$f"; elif [ -f "$f" ]; then cat "$f"; fi
	  done); } | vtd_hash
}

VTD_ROOT=$VTD_CACHE/root-$(vtd_root_key)

# The kernel source package the root holds ("name version").
vtd_kernel_source() {
	dpkg-query --admindir="$VTD_ROOT/var/lib/dpkg" -W \
		-f '${db:Status-Abbrev} ${Package} ${Version}\n' 'linux-source-7.*' |
		awk '$1 == "ii" { print $2, $3 }' | sort -V | tail -n1
}

# The built kernel tree for a variant (debug or fast), keyed by the source
# package, the config fragments and virtme-ng's version (its minimal
# config is the base).
vtd_kernel_dir() {
	local variant=$1 frags key
	frags="$VTD_TOP/kconfig/base.config"
	[ "$variant" = debug ] && frags="$frags $VTD_TOP/kconfig/debug.config"
	key=$( { vtd_kernel_source; echo "$variant"; cat $frags;
		dpkg-query --admindir="$VTD_ROOT/var/lib/dpkg" -W -f '${Version}' virtme-ng; } | vtd_hash)
	echo "$VTD_CACHE/kernel-$variant-$key"
}
