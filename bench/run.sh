#!/bin/sh
# mail2webhook benchmark: one command. See bench/README.md.
#
#   bench/run.sh [--quick] [--callgrind] [--binary PATH] [--keep]
#                [--only tiny,huge] [--no-scaling] [--scaling-peers]
#                [--no-delivery] [--no-check] [--label TEXT]
#
# Needs (Debian): python3, nodejs, npm, gcc (cc), coreutils (base64),
# valgrind (only for --callgrind). Builds build-bench/ if the binary is
# missing, installs mailparser into bench/node_modules from the lock file,
# writes bench/results.md and prints it.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
binary="$root/build-bench/mail2webhook"
keep=0
# Options of this script are taken out; everything else goes to bench.py.
n=$#
while [ "$n" -gt 0 ]; do
    arg=$1
    shift
    n=$((n - 1))
    case "$arg" in
    --binary) binary=$1; shift; n=$((n - 1)) ;;
    --binary=*) binary=${arg#--binary=} ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) set -- "$@" "$arg" ;;
    esac
done

for tool in /usr/bin/python3 node npm cc base64; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "run.sh: $tool is missing (apt-get install python3 nodejs npm gcc coreutils)" >&2
        exit 1
    }
done

if [ ! -x "$binary" ]; then
    echo "run.sh: building $binary (release)" >&2
    [ -d "$root/build-bench" ] ||
        meson setup "$root/build-bench" --buildtype=release >&2
    ninja -C "$root/build-bench" >&2
fi

if [ ! -d "$here/node_modules/mailparser" ]; then
    echo "run.sh: installing mailparser (npm ci)" >&2
    npm ci --prefix "$here" --no-audit --no-fund >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/m2w-bench.XXXXXX")
if [ "$keep" = 1 ]; then
    echo "run.sh: keeping the work directory $work" >&2
else
    trap 'rm -rf "$work"' EXIT INT TERM
fi

cc -O2 -o "$work/runone" "$here/runone.c"

/usr/bin/python3 "$here/bench.py" --binary "$binary" --runone "$work/runone" \
    --workdir "$work" --out "$here/results.md" "$@"
