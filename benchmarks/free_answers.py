"""Free answers read right, per slot: a file of answers people typed to one registration
question, each read by the reader the registration flow uses (the same reading as
tests/test_free_answer_cases.py), scored against what a clerk would record.

A file's rows are {"slot", "text", "expected"} (taxonomy codes), optionally "town" and "village"
(the person's own, for travel). A travel row without them is read as a person of 华埠镇 金星村.
Misses are listed only with --verbose, and never for a held-out file.

Run: .venv/bin/python benchmarks/free_answers.py [--file F ...] [--verbose]
     (default: tests/data/free_answer_cases.jsonl and every benchmarks/data/free_answers_*.jsonl)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_free_answer_cases import read  # noqa: E402

DEFAULT_PLACE = {"town": "华埠", "village": "金星村"}


def _case(row: dict[str, Any]) -> dict[str, Any]:
    case = dict(row)
    if case["slot"] == "travel":
        if isinstance(case["expected"], list):
            case["expected"] = case["expected"][0] if case["expected"] else None
        for key, value in DEFAULT_PLACE.items():
            case.setdefault(key, value)
    return case


def _expected(case: dict[str, Any]) -> Any:
    return sorted(case["expected"]) if isinstance(case["expected"], list) else case["expected"]


def score(path: Path, verbose: bool) -> None:
    rows = [_case(json.loads(line)) for line in path.read_text("utf-8").splitlines() if line.strip()]
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses = []
    for case in rows:
        total[case["slot"]] += 1
        got = read(case)
        if got == _expected(case):
            right[case["slot"]] += 1
        else:
            misses.append((case, got))
    held_out = "heldout" in path.name or "holdout" in path.name
    print(f"{path.relative_to(ROOT)}: {sum(right.values())}/{len(rows)} "
          f"({100 * sum(right.values()) / max(len(rows), 1):.1f} %) read right"
          + ("  [held-out]" if held_out else ""))
    for slot in sorted(total):
        print(f"  {slot:<13} {right[slot]:>3}/{total[slot]:<3} ({100 * right[slot] / total[slot]:.1f} %)")
    if verbose and not held_out:
        for case, got in misses:
            print(f"    miss {case['slot']}: {case['text']!r} → {got} (expected {_expected(case)})")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", action="append", type=Path, help="a JSONL file of free answers (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="list the misses (dev files only)")
    args = parser.parse_args(argv)
    files = args.file or [ROOT / "tests" / "data" / "free_answer_cases.jsonl",
                          *sorted((ROOT / "benchmarks" / "data").glob("free_answers_*.jsonl"))]
    for path in files:
        score(path.resolve(), args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
