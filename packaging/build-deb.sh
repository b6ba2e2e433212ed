#!/bin/bash
# Build the Debian binary package of mail2webhook.
#
# Usage: packaging/build-deb.sh [OUTPUT_DIR]
#
# Copies the source tree (files tracked by git plus untracked ones that are
# not ignored; without git, everything but build directories) to a
# temporary directory, puts packaging/debian there as debian/, runs
# "dpkg-buildpackage -us -uc -b" and moves the .deb, .buildinfo and
# .changes files to OUTPUT_DIR (default: the current directory). The
# source tree itself is not touched.
#
# The build dependencies must be installed first; packaging/debian/control
# lists them:
#   apt-get install --no-install-recommends devscripts equivs && \
#   mk-build-deps --install --remove packaging/debian/control
# or install the names in its Build-Depends by hand.
#
# Environment: DEB_BUILD_OPTIONS is passed on, e.g.
#   DEB_BUILD_OPTIONS=nocheck   skip "meson test" during the build
#   DEB_BUILD_OPTIONS=parallel=2
# DEB_BUILD_PROFILES=nocheck goes with nocheck, to ignore the <!nocheck>
# build dependencies.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=${1:-.}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The version comes from meson's project(); the Debian changelog must agree.
version=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$root/meson.build" |
    head -n1)
deb_version=$(sed -n '1s/^mail2webhook (\([^)]*\)).*/\1/p' \
    "$here/debian/changelog")
case $deb_version in
    "$version"-*) ;;
    *) echo "build-deb.sh: packaging/debian/changelog has $deb_version," \
            "meson.build has $version" >&2
       exit 1 ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mail2webhook-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
src="$tmp/mail2webhook-$version"
mkdir "$src"

# Copy the tree without .git, build directories or an old debian/.
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # Tracked files still present, plus untracked files not ignored.
    (cd "$root" &&
     LC_ALL=C comm -z -23 \
        <(git ls-files -z --cached --others --exclude-standard | LC_ALL=C sort -z -u) \
        <(git ls-files -z --deleted | LC_ALL=C sort -z -u) |
     tar --null --no-recursion -cf - -T -) |
        (cd "$src" && tar -xf -)
else
    (cd "$root" &&
     tar --exclude=./.git --exclude='./build*' --exclude=./debian -cf - .) |
        (cd "$src" && tar -xf -)
fi
rm -rf "$src/debian"
cp -r "$here/debian" "$src/debian"

(cd "$src" && dpkg-buildpackage -us -uc -b)

found=0
for f in "$tmp"/*.deb "$tmp"/*.buildinfo "$tmp"/*.changes; do
    [ -e "$f" ] || continue
    mv -f "$f" "$out/"
    echo "build-deb.sh: $out/$(basename "$f")"
    found=1
done
[ "$found" -eq 1 ]
