# Shared by the check_*.sh scripts of this folder (sourced, not run).
# check DESCRIPTION COMMAND...: runs COMMAND, prints "ok" or "FAIL" with
# DESCRIPTION, and counts into $passed and $failed.
passed=0 failed=0

check() {
    what=$1
    shift
    if "$@"; then
        echo "ok   $what"
        passed=$((passed + 1))
    else
        echo "FAIL $what"
        failed=$((failed + 1))
    fi
}
