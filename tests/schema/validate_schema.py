#!/usr/bin/python3
"""Validate mail2webhook's payload against docs/payload.schema.json.

Usage: validate_schema.py BINARY SCHEMA DATA_DIR

Runs BINARY --dry-run on every .eml file under DATA_DIR (and once more on
messages/sample.eml with every envelope option given), and checks each
payload with an independent validator, Debian's python3-jsonschema
(Draft202012Validator). Also checks what a schema cannot say: the output
is one line of UTF-8 JSON, no object repeats a key, and the keys come in
the order of the schema's "required" list, as docs/payload.md promises.
Finally checks that the schema rejects a few damaged payloads.

Exit status: 0 all valid, 1 a payload is invalid or the program failed,
77 (skipped, for meson) when the jsonschema module is not installed.
Run it with Debian's /usr/bin/python3: a python3 from pyenv or a virtual
environment does not see python3-jsonschema.
"""

import json
import pathlib
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    print("SKIP: the jsonschema module is missing "
          "(apt-get install python3-jsonschema)")
    sys.exit(77)

# Envelope options as Postfix's pipe(8) would pass them.
ENVELOPE_ARGS = [
    "--sender", "alice@example.org",
    "--recipient", "inbox@example.com",
    "--recipient", "support@example.com",
    "--original-recipient", "Inbox@Example.com",
    "--queue-id", "4Kx9Yz1abcz2",
]


def dry_run(binary, message, extra=()):
    """Return (payload, its top-level keys in order) or raise RuntimeError."""
    try:
        result = subprocess.run(
            [binary, "--dry-run", "--input", str(message), *extra],
            stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
            check=False)
    except OSError as error:
        raise RuntimeError(f"cannot run {binary}: {error}") from error
    if result.returncode != 0:
        raise RuntimeError(
            f"exit status {result.returncode}: "
            f"{result.stdout.decode(errors='replace')[:200]}"
            f"{result.stderr.decode(errors='replace')[:200]}")
    try:
        text = result.stdout.decode("utf-8", errors="strict")
    except UnicodeDecodeError as error:
        raise RuntimeError(f"output is not UTF-8: {error}") from error
    if not text.endswith("}\n") or "\n" in text[:-1]:
        raise RuntimeError("output is not one JSON line ended by a newline")
    # The top-level object closes last, so its pairs arrive last: collect
    # the key lists of every object and keep the final one.
    keys = []

    def hook(items):
        names = [key for key, _ in items]
        if len(set(names)) != len(names):
            raise RuntimeError(f"an object repeats a key: {names}")
        keys.append(names)
        return dict(items)

    payload = json.loads(text, object_pairs_hook=hook)
    return payload, keys[-1]


def mutations(payload):
    """Damaged copies of a valid payload that the schema must reject, so
    that a schema which accepts anything cannot pass this test."""
    def changed(edit):
        copy = json.loads(json.dumps(payload))
        edit(copy)
        return copy

    part = {"type": "text/plain", "name": "a.txt", "content": "YQ=="}
    yield "an unknown top-level key", changed(lambda p: p.update(extra=1))
    yield "no envelope", changed(lambda p: p.pop("envelope"))
    yield "a null subject", changed(lambda p: p.update(subject=None))
    yield "a string timestamp", changed(lambda p: p.update(timestamp="1"))
    yield "a numeric header", changed(
        lambda p: p["headers"].update({"X-Number": 1}))
    yield "a name that is a number", changed(
        lambda p: p["to"].append({"name": 1, "email": "a@example.org"}))
    yield "an address with an extra key", changed(
        lambda p: p["cc"].append({"name": None, "email": "a@example.org",
                                  "group": "x"}))
    yield "a return-path with a name", changed(
        lambda p: p["return-path"].update(name="Alice"))
    yield "encoding other than binary", changed(
        lambda p: p["attachments"].append({**part, "encoding": "base64"}))
    yield "content that is not base64", changed(
        lambda p: p["attachments"].append(
            {**part, "content": "not base64!", "encoding": "binary"}))
    yield "an inline without cid", changed(
        lambda p: p["inlines"].append(part))
    yield "an envelope recipient that is null", changed(
        lambda p: p["envelope"]["recipients"].append(None))


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    binary, schema_path, data_dir = argv[1], argv[2], pathlib.Path(argv[3])
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    validator_class = jsonschema.Draft202012Validator
    try:
        validator_class.check_schema(schema)
    except jsonschema.exceptions.SchemaError as error:
        print(f"FAIL: {schema_path} is not a valid 2020-12 schema: "
              f"{error.message}")
        return 1
    validator = validator_class(schema)
    key_order = schema["required"]

    messages = sorted(data_dir.rglob("*.eml"))
    if not messages:
        print(f"FAIL: no .eml files under {data_dir}")
        return 1
    runs = [(m, ()) for m in messages]
    # One message again with every envelope option: the sample if present.
    sample_path = data_dir / "messages" / "sample.eml"
    if not sample_path.is_file():
        sample_path = messages[0]
    runs.append((sample_path, tuple(ENVELOPE_ARGS)))

    passed = failed = 0
    for message, extra in runs:
        label = message.relative_to(data_dir).as_posix()
        if extra:
            label += " (with envelope options)"
        problems = []
        try:
            payload, order = dry_run(binary, message, extra)
        except (RuntimeError, ValueError, subprocess.TimeoutExpired) as error:
            problems.append(str(error))
        else:
            for error in sorted(validator.iter_errors(payload),
                                key=lambda e: list(e.absolute_path)):
                where = "/".join(str(p) for p in error.absolute_path)
                problems.append(f"at /{where}: {error.message[:300]}")
            if not problems and order != key_order:
                problems.append(f"keys in order {order}, "
                                f"expected {key_order}")
        if problems:
            failed += 1
            print(f"FAIL {label}")
            for problem in problems[:10]:
                print(f"    {problem}")
        else:
            passed += 1
            print(f"ok   {label}")
    # The schema must also say no.
    try:
        sample, _ = dry_run(binary, sample_path, ENVELOPE_ARGS)
    except (RuntimeError, ValueError, subprocess.TimeoutExpired) as error:
        print(f"FAIL {sample_path}: {error}")
        return 1
    for what, damaged in mutations(sample):
        if validator.is_valid(damaged):
            failed += 1
            print(f"FAIL the schema accepts a payload with {what}")
        else:
            passed += 1
            print(f"ok   the schema rejects a payload with {what}")

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
