#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Run a command inside the trixie build root, in the current directory.
#
# The repository and the cache are bound at the same paths inside the
# root, so a path is valid on both sides. A private mount namespace makes
# every mount vanish with the command, whatever way it ends.
source "$(dirname "$0")/env.sh"

"$VTD_TOP/scripts/setup-root.sh"

exec unshare --mount --propagation private -- /bin/bash -euo pipefail -c '
root=$1 top=$2 cache=$3 cwd=$4; shift 4
mount --rbind /dev "$root/dev"
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount -t tmpfs tmpfs "$root/tmp"
mount -t tmpfs tmpfs "$root/run"
mkdir -p "$root$top" "$root$cache"
mount --bind "$cache" "$root$cache"
mount --bind "$top" "$root$top"
exec chroot "$root" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" \
	PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
	VTD_CACHE="$cache" CI="${CI:-}" \
	/bin/bash -c "cd \"\$0\" && exec \"\$@\"" "$cwd" "$@"
' in-root "$VTD_ROOT" "$VTD_TOP" "$VTD_CACHE" "$PWD" "$@"
