#!/usr/bin/env python3
"""The man page is written by hand, so this checks it against the program:
every long option that --help lists must be described in
man/mail2webhook.1, the EXIT STATUS section must come right after
DESCRIPTION, and every exit status the code can return must be in it.

usage: check_manpage.py MAIL2WEBHOOK MANPAGE
"""
import re
import subprocess
import sys


def main():
    binary, manpage = sys.argv[1], sys.argv[2]
    help_text = subprocess.run([binary, "--help"], capture_output=True,
                               text=True, timeout=30).stdout
    options = sorted(set(re.findall(r"--[a-z][a-z0-9-]+", help_text)))
    with open(manpage, encoding="utf-8") as f:
        source = f.read()
    text = source.replace("\\-", "-").replace("\\(hy", "-")
    failures = []
    for option in options:
        if not re.search(re.escape(option) + r"(?![a-z0-9-])", text):
            failures.append(f"option {option} is not in the man page")
    sections = re.findall(r"^\.SH\s+\"?([A-Z ]+)\"?", source, re.M)
    if "DESCRIPTION" not in sections or "EXIT STATUS" not in sections or \
            sections.index("EXIT STATUS") != \
            sections.index("DESCRIPTION") + 1:
        failures.append(f"EXIT STATUS must follow DESCRIPTION: {sections}")
    described = set(re.findall(r"^\.BR?\s+\"?(\d+)", source, re.M))
    for code in ("0", "65", "66", "67", "75"):
        if code not in described:
            failures.append(f"exit status {code} is not described")
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"{len(options)} options checked, {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
