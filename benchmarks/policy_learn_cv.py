"""Cross-validation by set of the learned measure guess (knowledge/policy/learned.py): for each dev
set, the classifier is trained on the plan and the labelled questions of all the OTHER dev sets, and
the whole method is measured on the set left out. "before" is the method without the classifier
(neither its guess when retrieval finds nothing nor its doubt of what retrieval found); with
--own the guess is also trained on the set measured, to show how much that flatters it.
Only the dev sets are read (knowledge/data/policy_questions.jsonl is written from them), never a
held-out half or the spoken check. The lexicon was grown on all dev sets but blind2 and the spoken
probe, so only those two show what the retrieval does on wording it was not tuned to.
Run: .venv/bin/python benchmarks/policy_learn_cv.py [--sure 0.1,0.2,0.3] [--own]
"""

from __future__ import annotations

import json
import math
import sys
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from policy_examples import DEV_SETS  # noqa: E402
from policy_qa import DATA, load_eval, outcome  # noqa: E402

import knowledge.policy.base as policy_base  # noqa: E402
from knowledge.policy.base import PolicyBase  # noqa: E402

Labelled = list[tuple[str, tuple[str, ...]]]
Score = tuple[float, float, int, int]


def by_set() -> dict[str, Labelled]:
    """The shipped labelled questions, by the dev set they come from."""
    text = resources.files("knowledge").joinpath("data", "policy_questions.jsonl").read_text("utf-8")
    sets: dict[str, Labelled] = {name: [] for name in DEV_SETS}
    for line in text.splitlines():
        row = json.loads(line)
        sets[row["set"]].append((row["q"], tuple(row["labels"])))
    return sets


def score(kb: PolicyBase, rows: list[dict]) -> Score:
    """Answerable right %, honest no-answer %, and how many questions each is a share of."""
    kb._kept.cache_clear()  # the threshold may have changed: ask afresh
    results = [(bool(row["refs"]), outcome(row, kb.ask(row["q"]))) for row in rows]
    answerable = [r for covered, r in results if covered]
    uncovered = [r for covered, r in results if not covered]
    right = 100 * answerable.count("right") / max(len(answerable), 1)
    honest = 100 * uncovered.count("right") / max(len(uncovered), 1)
    return right, honest, len(answerable), len(uncovered)


def main(argv: list[str]) -> int:
    sures = [float(s) for s in argv[argv.index("--sure") + 1].split(",")] if "--sure" in argv else [policy_base.SURE]
    shipped, doubt = policy_base.SURE, policy_base.DOUBT
    kb = PolicyBase.load()
    documents = kb._documents
    sets = by_set()
    rows = {name: load_eval(DATA / f"policy_eval_{name}.jsonl") for name in DEV_SETS}
    policy_base.SURE = policy_base.DOUBT = math.inf
    before = {name: score(kb, rows[name]) for name in DEV_SETS}
    policy_base.DOUBT = doubt
    after: dict[float, dict[str, Score]] = {s: {} for s in sures}
    own: dict[float, dict[str, Score]] = {s: {} for s in sures}
    for name in DEV_SETS:
        trained = PolicyBase(documents, [row for other in DEV_SETS if other != name for row in sets[other]])
        for sure in sures:
            policy_base.SURE = sure
            after[sure][name] = score(trained, rows[name])
            if "--own" in argv:
                own[sure][name] = score(kb, rows[name])
    policy_base.SURE = shipped
    for sure in sures:
        print(
            f"\nlead over 'not answered' needed: {sure}. Answerable right, honest no-answer: before → after"
            + (" [trained on the set too]" if own[sure] else "")
        )
        totals = [0.0] * 6
        for name in DEV_SETS:
            (r0, h0, n, m), (r1, h1, _, _) = before[name], after[sure][name]
            extra = f"   [{own[sure][name][0]:5.1f} {own[sure][name][1]:5.1f}]" if own[sure] else ""
            print(f"  {name:<13} n={n:>3}/{m:>2}  right {r0:5.1f} → {r1:5.1f}   honest {h0:5.1f} → {h1:5.1f}{extra}")
            totals = [t + v for t, v in zip(totals, [r0 * n, r1 * n, n, h0 * m, h1 * m, m], strict=True)]
        print(
            f"  {'ALL':<13} n={totals[2]:>3.0f}/{totals[5]:>2.0f}  right {totals[0] / totals[2]:5.1f} → "
            f"{totals[1] / totals[2]:5.1f}   honest {totals[3] / totals[5]:5.1f} → {totals[4] / totals[5]:5.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
