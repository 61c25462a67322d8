"""Writes knowledge/data/policy_questions.jsonl: the labelled questions the measure classifier
(knowledge/policy/learned.py) learns from, taken from the DEV sets only, each row naming its set so
that benchmarks/policy_learn_cv.py can leave one set out. Held-out halves and the spoken check are
never read. Run: .venv/bin/python benchmarks/policy_examples.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from policy_qa import DATA, load_eval  # noqa: E402

DEV_SETS = ("dev", "probe", "fresh_dev", "everyday", "blind_dev", "blind2_dev", "blind3_dev",
            "train4", "train5", "train6", "spoken_probe", "train7", "blind4_dev", "train8", "train9", "train10",
            "train11", "train12", "blind5_dev", "train13", "train14")
TARGET = ROOT / "knowledge" / "data" / "policy_questions.jsonl"


def main() -> int:
    lines = []
    for name in DEV_SETS:
        for row in load_eval(DATA / f"policy_eval_{name}.jsonl"):
            lines.append(json.dumps({"q": row["q"], "labels": row["refs"], "set": name}, ensure_ascii=False))
    TARGET.write_text("\n".join(lines) + "\n", "utf-8")
    print(f"{len(lines)} questions written to {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
