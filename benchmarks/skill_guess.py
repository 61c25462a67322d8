"""The learned guesses (knowledge/skill_guess.py for skills, knowledge/free_time_guess.py for free
time) measured by leaving one dev set out: for each set, the guesser is trained on the options' own
words and every OTHER set, then scored on the set left out: the guess alone (exact options), the
rule reader alone, and the two as the flow uses them (the guess where the rules read nothing, the
doubt of what they read); and, where the rules read nothing, how often a guess is right by the
margin it needs (to choose SURE).

With --write, first writes the slot's shipped examples (knowledge/data/skill_examples.jsonl or
free_time_examples.jsonl) from the dev sets only: the case set (tests/data/free_answer_cases.jsonl),
benchmarks/data/free_answers_*_dev.jsonl and the dev personas' answers (their answers to the other
questions, where the rules read nothing, as answers naming none), never a held-out file or persona.

Run: .venv/bin/python benchmarks/skill_guess.py [--slot skills|availability] [--write] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from dialogs import BATCHES, FIRST_BATCH  # noqa: E402

from knowledge import answers, free_time_guess, skill_guess, taxonomy  # noqa: E402
from knowledge.learned import shipped, train  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
SLOTS = ("skills", "availability", "travel", "village", "age")
MARGINS = (-0.3, -0.2, -0.1, 0.0, 0.2, 0.4, 0.7)
_NUMBERS = re.compile(r"[\d\s,，、和第个]+")


@dataclass(frozen=True)
class Slot:
    name: str
    guess: ModuleType  # skill_guess or free_time_guess
    options: Callable[[], taxonomy.OptionSet]
    rules: Callable[[str], taxonomy.Reading]  # the rule reader alone

    @property
    def examples(self) -> Path:
        """The shipped labelled answers this slot's guesser learns from."""
        file: str = self.guess.EXAMPLES[0]
        return ROOT / "knowledge" / "data" / file


SKILLS = Slot("skills", skill_guess, taxonomy.skills, lambda text: taxonomy.skills().read(text))
AVAILABILITY = Slot("availability", free_time_guess, taxonomy.availability, answers.free_time)


def _rows(slot: Slot, path: Path, name: str) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [{"text": r["text"], slot.name: sorted(r["expected"]), "set": name} for r in rows
            if r["slot"] == slot.name and not r.get("miss")]


def _read_any(slot: Slot, text: str) -> bool:
    reading = slot.rules(text)
    return bool(reading.codes or reading.unlisted)


def _persona_rows(slot: Slot) -> list[dict]:
    personas = json.loads((DATA / "dialog_personas.json").read_text("utf-8"))["personas"]
    split = json.loads((DATA / "dialog_split.json").read_text("utf-8"))
    held = set(split["holdout"])
    batches = {name: set(split.get(f"{name}_batch", [])) for name in BATCHES}
    rows = []
    for index, persona in enumerate(personas):
        if persona["id"] in held:
            continue
        first = "first" if index < FIRST_BATCH else "later"
        batch = next((n for n, ids in batches.items() if persona["id"] in ids), first)
        name, say = f"personas-{batch}", persona.get("say", {})
        said = [t for t in say.get(slot.name) or [] if not _NUMBERS.fullmatch(t)]
        if slot.name in persona["want"] and said:
            # an answer said again in other words was not the one kept: "嗯这个我想想" names nothing
            rows += [{"text": t, slot.name: sorted(persona["want"][slot.name])
                      if t == said[-1] or _read_any(slot, t) else [], "set": name} for t in said]
        others = [t for other in SLOTS if other != slot.name for t in say.get(other) or []]
        detour = persona.get("detour")
        others += [detour["text"]] if detour and detour["slot"] == slot.name else []
        rows += [{"text": t, slot.name: [], "set": name} for t in dict.fromkeys(others)
                 if not _NUMBERS.fullmatch(t) and not slot.rules(t).codes]
    return rows


def write(slot: Slot) -> None:
    rows = [*_rows(slot, ROOT / "tests" / "data" / "free_answer_cases.jsonl", "cases"),
            *(r for path in sorted(DATA.glob("free_answers_*_dev.jsonl"))
              for r in _rows(slot, path, path.stem.removeprefix("free_answers_"))),
            *_persona_rows(slot)]
    slot.examples.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    print(f"wrote {len(rows)} examples to {slot.examples.relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--slot", choices=["skills", "availability"], default="skills")
    parser.add_argument("--write", action="store_true", help="write the shipped examples from the dev sets first")
    parser.add_argument("--verbose", action="store_true", help="list where rules and guess together differ from rules")
    args = parser.parse_args(argv)
    slot = SKILLS if args.slot == "skills" else AVAILABILITY
    if args.write:
        write(slot)
    by_set: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    for text, named, name in shipped(*slot.guess.EXAMPLES):
        by_set[name].append((text, named))
    base = slot.guess.taxonomy_examples()
    unread: dict[float, list[int]] = {m: [0, 0, 0] for m in MARGINS}  # guessed, right, of answers naming nothing
    unread_total = [0, 0]  # answers the rules read nothing in, those naming some option
    totals = [0, 0, 0, 0]
    for name, rows in by_set.items():
        guesser = train(slot.options(), [*base, *(e for other, r in by_set.items() if other != name for e in r)])
        alone = read = both = 0
        for text, named in rows:
            want = sorted(named)
            guess = sorted(guesser.guess(text, slot.guess.SURE))
            reading = slot.rules(text)
            nothing_read = not (reading.codes or reading.unlisted)
            together = sorted(slot.guess.read(text, guesser).codes)
            alone += guess == want
            read += sorted(reading.codes) == want
            both += together == want
            if nothing_read:
                unread_total = [unread_total[0] + 1, unread_total[1] + bool(want)]
                for m, counts in unread.items():
                    guessed = sorted(guesser.guess(text, m))
                    counts[0] += bool(guessed)
                    counts[1] += bool(guessed) and guessed == want
                    counts[2] += bool(guessed) and not want
            if args.verbose and together != sorted(reading.codes):
                print(f"    {name}: {text!r} rules {sorted(reading.codes)} → {together} (expected {want})")
        n = len(rows)
        totals = [a + b for a, b in zip(totals, (n, alone, read, both), strict=True)]
        print(f"{name:<18} {n:>4}  guess alone {alone:>4} ({100 * alone / n:5.1f} %)  rules {read:>4}"
              f"  rules + guess {both:>4}")
    n, alone, read, both = totals
    print(f"{'all':<18} {n:>4}  guess alone {alone:>4} ({100 * alone / n:5.1f} %)  rules {read:>4}"
          f"  rules + guess {both:>4}")
    print(f"the rules read nothing in {unread_total[0]} answers, {unread_total[1]} of them naming some option:")
    for m, (made, right, naming_none) in unread.items():
        print(f"  guessing at a margin ≥ {m:+.1f}: {made} guesses, {right} right,"
              f" {naming_none} of an answer naming none")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
