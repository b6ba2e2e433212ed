#!/usr/bin/env python3
"""Golden tests: the program's --dry-run payload for every test message
must equal the reviewed JSON in tests/data/expected/<folder>/<name>.json.
A message whose Date is missing or unreadable gets the time of processing
as its timestamp; its golden file holds the string "now" there, and the
check is that the value lies within the run.

usage: check_golden.py MAIL2WEBHOOK DATA_DIR [--update]
"""
import json
import os
import subprocess
import sys
import time

FOLDERS = ["messages", "corpus", "hostile"]


def payload(binary, path):
    before = int(time.time())
    proc = subprocess.run([binary, "--dry-run", "--input", path],
                          capture_output=True, timeout=60)
    after = int(time.time()) + 1
    if proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}: {proc.stdout[:200]!r}")
    data = json.loads(proc.stdout.decode("utf-8"))
    return data, before, after


def main():
    binary, data_dir = sys.argv[1], sys.argv[2]
    update = "--update" in sys.argv[3:]
    passed = failed = 0
    for folder in FOLDERS:
        source = os.path.join(data_dir, folder)
        target = os.path.join(data_dir, "expected", folder)
        for name in sorted(os.listdir(source)):
            if not name.endswith(".eml"):
                continue
            golden = os.path.join(target, name[:-4] + ".json")
            label = f"{folder}/{name}"
            try:
                got, before, after = payload(binary, os.path.join(source,
                                                                  name))
                if update:
                    if before <= got["timestamp"] <= after:
                        got["timestamp"] = "now"
                    os.makedirs(target, exist_ok=True)
                    with open(golden, "w", encoding="utf-8") as f:
                        json.dump(got, f, ensure_ascii=False, indent=1)
                        f.write("\n")
                    print(f"updated {label}")
                    continue
                with open(golden, encoding="utf-8") as f:
                    want = json.load(f)
                if want["timestamp"] == "now":
                    ok = before <= got["timestamp"] <= after
                    if not ok:
                        raise AssertionError(f"timestamp {got['timestamp']}"
                                             " is not the run's time")
                    got["timestamp"] = "now"
                if got != want:
                    keys = [k for k in want if got.get(k) != want[k]]
                    raise AssertionError(f"differs in {keys}")
                passed += 1
                print(f"ok {label}")
            except (AssertionError, OSError, ValueError) as e:
                failed += 1
                print(f"FAIL {label}: {e}")
    if not update:
        print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
