#!/bin/sh
# The version is set in one place, meson's project(); check that everything
# that names it agrees.
# Usage: check_version.sh BINARY VERSION SOURCE_ROOT
#   BINARY       the built mail2webhook
#   VERSION      meson.project_version()
#   SOURCE_ROOT  the top of the source tree
set -u
if [ $# -ne 3 ]; then
    echo "usage: $0 BINARY VERSION SOURCE_ROOT" >&2
    exit 2
fi
binary=$1 version=$2 root=$3

. "$(dirname "$0")/check_lib.sh"

# The version with dots escaped, for grep -E.
re=$(printf '%s' "$version" | sed 's/[.]/\\./g')

out=$("$binary" --version 2>&1)
check "--version prints 'mail2webhook $version' (got '$out')" \
    test "$out" = "mail2webhook $version"

# The newest entry of each changelog names the version.
deb_top=$(sed -n 1p "$root/packaging/debian/changelog")
check "packaging/debian/changelog starts with $version (got '$deb_top')" \
    sh -c 'printf "%s\n" "$1" | grep -Eq "^mail2webhook \($2-[0-9]+\) "' \
    sh "$deb_top" "$re"

md_top=$(grep -m1 -E '^## ' "$root/CHANGELOG.md")
check "CHANGELOG.md's first release is $version (got '$md_top')" \
    sh -c 'printf "%s\n" "$1" | grep -Eq "^## \[?$2\]?( |$)"' \
    sh "$md_top" "$re"

spec_version=$(sed -n 's/^Version:[[:space:]]*//p' \
    "$root/packaging/rpm/mail2webhook.spec")
check "packaging/rpm/mail2webhook.spec has Version: $version (got '$spec_version')" \
    test "$spec_version" = "$version"

th=$(grep -m1 '^\.TH ' "$root/man/mail2webhook.1")
check "man/mail2webhook.1's .TH names mail2webhook $version (got '$th')" \
    sh -c 'printf "%s\n" "$1" | grep -Fq "\"mail2webhook $2\""' \
    sh "$th" "$version"

# Both changelogs date the release the same day.
deb_day=$(sed -n 's/^ -- .*>  //p' "$root/packaging/debian/changelog" |
    head -n1)
deb_day=$(date -u -d "$deb_day" +%Y-%m-%d 2>/dev/null || echo "?")
md_day=$(printf '%s\n' "$md_top" | grep -Eo '[0-9]{4}-[0-9]{2}-[0-9]{2}' |
    head -n1)
check "both changelogs date $version the same day ($deb_day, ${md_day:-none})" \
    test "$deb_day" = "${md_day:-none}"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
