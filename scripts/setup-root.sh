#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Create (once) the Debian trixie build root with mmdebstrap.
#
# The host runs bookworm; the kernel, its toolchain, QEMU and virtme-ng
# come from trixie and must never be installed on the host, so they live
# in this root. Only mmdebstrap itself is installed on the host, from the
# host's own suite.
source "$(dirname "$0")/env.sh"

[ -x "$VTD_ROOT/.complete" ] && exit 0
[ "$(id -u)" = 0 ] || vtd_die "the build root needs root (mmdebstrap, chroot)"

# Several commands may need the root at once: one builds it, the others wait.
mkdir -p "$VTD_CACHE"
exec 9>"$VTD_CACHE/.root.lock"
flock 9
[ -x "$VTD_ROOT/.complete" ] && exit 0

if ! command -v mmdebstrap >/dev/null; then
	vtd_log "installing mmdebstrap on the host (host suite only)"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null
fi

# Use the host's Debian mirror; VTD_MIRROR overrides it.
mirror=${VTD_MIRROR:-$(apt-get indextargets --no-release-info \
	--format '$(REPO_URI)' 'Created-By: Packages' | grep -v security | head -n1)}
[ -n "$mirror" ] || vtd_die "no Debian mirror found in the host's apt sources"

vtd_log "creating trixie build root $VTD_ROOT from $mirror (about a minute)"
rm -rf "$VTD_ROOT.tmp"
pkgs=$(echo $VTD_ROOT_PACKAGES | tr ' ' ',')
mmdebstrap --variant=apt --components=main --include="$pkgs" \
	--customize-hook='chroot "$1" apt-get update -qq' \
	--customize-hook="chroot \"\$1\" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t trixie-backports $VTD_ROOT_BACKPORTS" \
	--customize-hook="cp -a $VTD_ROOT_OVERLAY/. \"\$1\"/" \
	trixie "$VTD_ROOT.tmp" \
	"deb $mirror trixie main" "deb $mirror trixie-backports main"
mv "$VTD_ROOT.tmp" "$VTD_ROOT"
printf '#!/bin/true\n' >"$VTD_ROOT/.complete"
chmod +x "$VTD_ROOT/.complete"
vtd_log "build root ready"
