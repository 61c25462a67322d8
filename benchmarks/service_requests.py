"""Free text that asks for a service (handlers.more): how often it is led into the right service,
and how often other questions are left to the plan. The set was split at random into a dev half
(tests/data/service_requests_dev.jsonl) and a held-out half (…_holdout.jsonl) before the rules
were tried on it; both are reported. Run: .venv/bin/python benchmarks/service_requests.py [--verbose]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from handlers import graduates, hardship, rights, silver
from handlers.more import SERVICES
from knowledge.text import arabize, compact, normalize

ROOT = Path(__file__).resolve().parents[1]
SETS = {"dev": ROOT / "tests/data/service_requests_dev.jsonl",
        "held-out": ROOT / "tests/data/service_requests_holdout.jsonl"}
NAMES = {silver.start: "silver", graduates.start: "graduate", hardship.start: "hardship", rights.progress: "progress"}


def routed(text: str) -> str | None:
    """The service the free text is led into, by the same rules the chat uses."""
    key = compact(arabize(normalize(text)))
    return next((NAMES[s.handler] for s in SERVICES if s.asks.search(key)), None)


def main(verbose: bool) -> None:
    for name, path in SETS.items():
        rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
        asking = [r for r in rows if r["service"]]
        other = [r for r in rows if not r["service"]]
        right = sum(routed(r["text"]) == r["service"] for r in asking)
        left = sum(routed(r["text"]) is None for r in other)
        print(f"{name:9} requests led to the right service: {right}/{len(asking)} ({right / len(asking):.0%});"
              f" other questions left to the plan: {left}/{len(other)} ({left / len(other):.0%})")
        if verbose and name == "dev":  # the held-out misses stay unseen, so nothing is tuned on them
            for r in rows:
                got = routed(r["text"])
                if got != r["service"]:
                    print(f"   miss: {r['text']}  want {r['service']}, got {got}")


if __name__ == "__main__":
    main("--verbose" in sys.argv)
