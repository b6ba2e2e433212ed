#!/bin/sh
# The example configuration file must stay in step with the options: the
# program refuses a --config file with an unknown key, and every key the
# example shows, commented out or not, must be one it accepts.
# Usage: check_config_example.sh BINARY EXAMPLE SAMPLE_EML
# Exit 77 (skipped) when the program has no --config option.
set -u
if [ $# -ne 3 ]; then
    echo "usage: $0 BINARY EXAMPLE SAMPLE_EML" >&2
    exit 2
fi
binary=$1 example=$2 sample=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/check_lib.sh"

"$binary" --help > "$tmp/help" 2>&1
if ! grep -q -- '--config' "$tmp/help"; then
    echo "SKIP: $binary has no --config option"
    exit 77
fi

run() { # CONFIG: a dry run with it succeeds
    "$binary" --config "$1" --dry-run --input "$sample" \
        > "$tmp/out" 2> "$tmp/err" </dev/null
    status=$?
    [ "$status" -eq 0 ] || { cat "$tmp/out" "$tmp/err"; return 1; }
}

check "the example as shipped is accepted" run "$example"

# Every key shown, set or commented out, is an option of the program.
sed -n 's/^#\{0,1\}\([a-z][a-z0-9-]*\) = .*/\1/p' "$example" > "$tmp/keys"
check "the example shows keys at all" test -s "$tmp/keys"
while read -r key; do
    check "key '$key' is an option (--$key in --help)" \
        grep -q -- "--$key[ =,]" "$tmp/help"
done < "$tmp/keys"

# With every commented-out setting switched on, except those that name
# files, directories or interfaces of this machine, it is still accepted.
sed 's/^#\([a-z][a-z0-9-]* = \)/\1/' "$example" |
    sed -E 's/^(secret-file|header-file|state-dir|cacert|capath|cert|key|interface|source-address) = /#&/' \
    > "$tmp/all.conf"
check "the example with its other settings switched on is accepted" \
    run "$tmp/all.conf"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
