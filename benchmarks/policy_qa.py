"""Policy Q&A benchmark: start-up time, accuracy per kind, honest no-answers, latency, and the misses.

Runs the eval set (tests/data/policy_qa.jsonl) and, reported apart, the later-written check set
(tests/data/policy_qa_holdout.jsonl).  Run: .venv/bin/python benchmarks/policy_qa.py [--verbose]
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL_SET = ROOT / "tests" / "data" / "policy_qa.jsonl"
HOLDOUT_SET = ROOT / "tests" / "data" / "policy_qa_holdout.jsonl"
_MEASURE = re.compile(r"\s(\d+)$")
# Which part of the shipped plan a non-measure citation is: the eval set names them this way.
_PART_LABELS = {"一、(一)": "guideline", "一、(二)": "background", "一、(三)": "principle", "一、(四)": "table"}


def load_eval(path: Path = EVAL_SET) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def label(ref: str) -> str:
    """The eval-set label of a citation ref: "二、(四) 13" → "13", "一、(四)" → "table", "三、(二)" → "safeguard"."""
    if m := _MEASURE.search(ref):
        return m.group(1)
    if ref.startswith("三、"):
        return "safeguard"
    return _PART_LABELS.get(ref, ref or "preamble")


def is_correct(row: dict, answer) -> bool:
    """Uncovered rows want an honest no; the others an answer citing an expected part with every fact."""
    if row["measure"] is None:
        return not answer.answered and answer.answer.startswith("这个问题方案里没有提到")
    expected = set(row["measure"].split(","))
    cited = {label(c.ref) for c in answer.citations}
    return answer.answered and bool(cited & expected) and all(s in answer.answer for s in row["must_contain"])


def run(kb, rows: list[dict], name: str, verbose: bool) -> None:
    by_kind: dict[str, list[bool]] = defaultdict(list)
    latencies: list[float] = []
    misses = []
    for row in rows:
        started = time.perf_counter()
        answer = kb.ask(row["q"])
        latencies.append((time.perf_counter() - started) * 1000)
        ok = is_correct(row, answer)
        by_kind[row["kind"]].append(ok)
        if not ok:
            misses.append((row, answer))
    print(f"\n{name}: {len(rows)} questions")
    for kind in sorted(by_kind):
        results = by_kind[kind]
        print(f"  {kind:<12} {sum(results):>3}/{len(results):<3} {100 * sum(results) / len(results):5.1f} %")
    answerable = [ok for kind, results in by_kind.items() if kind != "uncovered" for ok in results]
    share = 100 * sum(answerable) / len(answerable)
    print(f"  answerable correct: {sum(answerable)}/{len(answerable)} = {share:.1f} %")
    if honest := by_kind.get("uncovered"):
        print(f"  honest no-answer on uncovered: {sum(honest)}/{len(honest)} = {100 * sum(honest) / len(honest):.1f} %")
    p95 = statistics.quantiles(latencies, n=100)[94]
    p50 = statistics.median(latencies)
    print(f"  latency per question: p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {max(latencies):.2f} ms")
    print(f"  misses: {len(misses)}")
    for row, answer in misses:
        cited = ",".join(label(c.ref) for c in answer.citations) or "-"
        print(f"    [{row['kind']}] {row['q']}  expected {row['measure']} {row['must_contain']}  got {cited}")
        if verbose:
            print("      " + answer.answer.replace("\n", "\n      "))


def main(verbose: bool = False) -> int:
    started = time.perf_counter()
    from knowledge.policy import PolicyBase

    kb = PolicyBase.load()
    print(f"start-up (imports + load, fresh process): {time.perf_counter() - started:.2f} s")
    run(kb, load_eval(EVAL_SET), "eval set", verbose)
    if HOLDOUT_SET.exists():
        run(kb, load_eval(HOLDOUT_SET), "check set (written later, to test generality)", verbose)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(verbose="--verbose" in sys.argv))
