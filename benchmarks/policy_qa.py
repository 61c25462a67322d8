"""Policy Q&A benchmark: per kind of question, right answers, honest no-answers, wrong answers,
latency and answer length, on the dev half and the held-out half of the villagers' eval set, on
the probe set, and on the dev and held-out halves of the fresh set.

The eval set (tests/data/policy_eval_{dev,heldout}.jsonl) was written as people in the county ask and
split once at random before the method was tuned; only the dev half is for looking at misses.
The probe set (tests/data/policy_eval_probe.jsonl) was written later, before the second round of
method changes, weighted to two-topic, rambling, request, Traditional and voice-slip questions.
The fresh set (tests/data/policy_eval_fresh_{dev,heldout}.jsonl) was written blind, from the plan
alone by someone who had seen neither the method nor the other sets, and split once at random.
The everyday set (tests/data/policy_eval_everyday.jsonl) was written in three batches during the
third round of method changes, each batch run before the changes it led to (so it is dev, not
held-out): everyday paraphrase, story-first, voice-slip and near-miss questions.
The blind set (tests/data/policy_eval_blind_{dev,heldout}.jsonl) was written from the plan alone by
someone who saw neither the method nor the other sets, and split once at random (seed 20261204);
its dev half was first run on the fourth round's method before any change made for it.
The blind2 set (tests/data/policy_eval_blind2_{dev,heldout}.jsonl) was written the same way in
everyday speech and split once at random (seed 20261205); its dev half was first run on the fifth
round's method as merged, before any change made in that round.
The spoken probe (tests/data/policy_eval_spoken_probe.jsonl) is 60 spoken-paraphrase questions for
measures drawn at random, written without looking at the lexicon files and first run on the fifth
round's method before any change made for it.
The spoken check (tests/data/policy_eval_spoken_probe2.jsonl): 20 spoken questions for measures
drawn at random and 5 uncovered ones, never tuned on. (A fifth-round method tuned on blind2 dev and
the spoken probe was not kept: on the held-out halves it gained 6 right answers and lost 4 honest
no-answers, and the spoken check did not move.)
The blind3 set (tests/data/policy_eval_blind3_{dev,heldout}.jsonl): 220 questions written from the plan
alone in everyday speech (story first, dialect, voice slips, requests, partial answers, how-to, 52 not
covered), split once at random (seed 20261206); both halves were first run on the sixth round's method
before any change made in that round.
The train4, train5 and train6 sets (tests/data/policy_eval_train{4,5,6}.jsonl): 300 questions each,
written the same way as training rows for the measure classifier (train5: older villagers, story
first, dialect, voice input; train6: near-misses beside the questions the plan does answer); they
are dev, each first run before the classifier was trained on it. train7 (320), train8, train9,
train10, train11 and train12 (300 each; train10 and train12 in pairs: a question the plan answers
beside one on the same topic it does not) and the blind4 set (tests/data/policy_eval_blind4_{dev,
heldout}.jsonl: 200 more, split once at random with seed 20261210) were written the same way from
the plan alone, and first run before any change made for them; so were train13 (150 such pairs),
train14 (320, many voices, half typed short) and the blind5 set (tests/data/policy_eval_blind5_{dev,
heldout}.jsonl: 200, a third of them not answered by the plan, split once with seed 20261213), and
the blind6 set (tests/data/policy_eval_blind6_{dev,heldout}.jsonl: 300, 82 not answered by the plan,
61 of them near-misses, split once in halves with seed 20261216), and the blind7 set
(tests/data/policy_eval_blind7_{dev,heldout}.jsonl: 300, 80 not answered by the plan, about 66 of them
near-misses, split once in halves with seed 20261219). train15 (320, everyday paraphrase of every
measure from several angles) and train16 (160 near-miss pairs), train17 (320 in the hard styles:
dialect, voice slips, typos, Traditional, two topics) and train18 (320 story-first) were written the
same way and first run before the classifier was trained on them; so were the blind8 set
(tests/data/policy_eval_blind8_{dev,heldout}.jsonl: 300, 84 not answered by the plan, about 69 of them
near-misses, split once in halves with seed 20261225), train19 (320 naming the thing only by the
asker's situation) and train20 (320 typed as short as people type: two to ten characters), and the
blind9 set (tests/data/policy_eval_blind9_{dev,heldout}.jsonl: 300, more two-topic, partial and how-to
questions, 86 not answered by the plan, split once in halves with seed 20261227), train21 (320 with two
topics each) and train22 (160 partly answered by the plan, 160 about using the bot), and the blind10 set
(tests/data/policy_eval_blind10_{dev,heldout}.jsonl: 300, long voice-input stories and short fragments,
81 not answered by the plan, split once in halves with seed 20261230) and train23 (160 pairs: a question
the plan answers beside its near-miss twin it does not), and the blind11 set
(tests/data/policy_eval_blind11_{dev,heldout}.jsonl: 300 typed as on a phone, 8 to 30 characters,
85 not answered by the plan, split once in halves with seed 20261234), and the blind12 set
(tests/data/policy_eval_blind12_{dev,heldout}.jsonl: 300, many asked on behalf of someone else,
84 not answered by the plan, split once in halves with seed 20261240), and train24 (320 asked about
every part of the plan by a dozen kinds of askers, the thing described rather than named) and train25
(110 partly answered by the plan, 110 about using the bot, 100 with two topics), and the blind13 set
(tests/data/policy_eval_blind13_{dev,heldout}.jsonl: 300, the asker's situation or the thing described
rather than named, 72 not answered by the plan, split once in halves with seed 20261247), and the blind14
set (tests/data/policy_eval_blind14_{dev,heldout}.jsonl: 300 from older villagers, returning young people, small
employers and workers owed wages, typed with pinyin, typos, Traditional characters and two topics, 75 not answered by
the plan, split once in halves with seed 20261250), and the blind15 set
(tests/data/policy_eval_blind15_{dev,heldout}.jsonl: 300 from people who only half know what they ask about --
a programme's name misremembered, whether they qualify, asked for a relative or the whole village -- 80 not
answered by the plan, 55 of them near-misses, split once in halves with seed 20261254), and the blind16 set
(tests/data/policy_eval_blind16_{dev,heldout}.jsonl: 300 about who, when and how much, asked by village cadres for
villagers, by people comparing years and asking which office to go to, 80 not answered by the plan, 50 of them
near-misses, split once in halves with seed 20261258), and the blind17 set
(tests/data/policy_eval_blind17_{dev,heldout}.jsonl: 300 from people asking for a group they belong to -- women back
at work after childcare, families of a disabled person, reservoir migrants, tea and homestay owners, graduates and
their parents, veterans, village cadres -- and checking rumours, many as yes/no, 100 not answered by the plan, 60 of
them near-misses, split once in halves with seed 20261259), and the blind18 set
(tests/data/policy_eval_blind18_{dev,heldout}.jsonl: 300 from employers and workers at work -- owners of small
factories, tea companies and homestays, foremen and labour agents asking about hiring, and workers asking about
unpaid wages, disputes, contracts and injuries, many short and blunt -- 100 not answered by the plan, 60 of them
near-misses, split once in halves with seed 20261263), and the blind19 set
(tests/data/policy_eval_blind19_{dev,heldout}.jsonl: 300 from people weighing up and checking conditions -- whether
they can have both, which is better, whether they are too old or not local enough, whether it is still on --, a third
two to ten characters, a third long spoken stories, 100 not answered by the plan, 60 of them near-misses, split once
in halves with seed 20261268), and the blind20 set (tests/data/policy_eval_blind20_{dev,heldout}.jsonl: 300 about
what people heard and half remember -- a measure by the name heard on the loudspeaker, at a fair or from a neighbour,
often a little wrong, and what it means for them in money, distance, age, time and paperwork --, many asked for someone
else or by voice input, 100 not answered by the plan, 60 of them near-misses, split once in halves with seed
20261271), and the blind21 set (tests/data/policy_eval_blind21_{dev,heldout}.jsonl: 300 from young people, returnees
and village cadres -- typed as on social media, with abbreviations, English words, pinyin initials and emoji, or asked
for the whole village --, 100 not answered by the plan, 60 of them near-misses, split once in halves with seed
20261274), and the blind22 set (tests/data/policy_eval_blind22_{dev,heldout}.jsonl: 300 asked the way a phone call
sounds -- a greeting and who is calling, fillers, repeats and self-corrections, numbers said in Chinese, short
follow-ups that still stand alone --, 100 not answered by the plan, 60 of them near-misses, split once in halves with
seed 20261277), and the blind23 set (tests/data/policy_eval_blind23_{dev,heldout}.jsonl: 300 prompted by something
seen or heard -- a notice on the village board, a loudspeaker, a forwarded message, a banner, a short video -- half
quoted, often wrongly, 100 not answered by the plan, 60 of them near-misses, split once in halves with seed 20261278),
and the blind24 set (tests/data/policy_eval_blind24_{dev,heldout}.jsonl: 300 from older villagers and the
grandchildren typing for them -- plain words, the thing wanted named, towns and villages, polite openings --, 100 not
answered by the plan, 60 of them near-misses, split once in halves with seed 20261283), and the blind25 set
(tests/data/policy_eval_blind25_{dev,heldout}.jsonl: 300 from people outside the county's usual picture -- workers
from neighbouring provinces, people married into the county or back after decades away, employers hiring them,
county people working elsewhere --, 100 not answered by the plan, 60 of them near-misses, split once in halves with
seed 20261284), and the blind26 set (tests/data/policy_eval_blind26_{dev,heldout}.jsonl: 300 checking the plan's
figures and words -- what a term means, whether a number heard is right, how many, by when, who is in charge --, 100
not answered by the plan, 60 of them near-misses, split once in halves with seed 20261287), and the blind27 set
(tests/data/policy_eval_blind27_{dev,heldout}.jsonl: 300 that contrast, exclude or compare -- 不是问X是问Y, 除了X还有啥,
X和Y哪个 -- and follow-ups that repeat a few words of the topic, 100 not answered by the plan, 65 of them near-misses,
split once in halves with seed 20261292), and the blind28 set (tests/data/policy_eval_blind28_{dev,heldout}.jsonl:
300 asked on someone else's behalf, typed by voice as long run-ons with fillers, or telling the asker's situation in
detail; 100 not answered by the plan, split once in halves with seed 20261295), and the blind29 set
(tests/data/policy_eval_blind29_{dev,heldout}.jsonl: 300 from small employers, mothers back after childcare, families
of people with a disability and retirees, some quoting a figure or a name wrong to check it; 103 not answered by the
plan, split once in halves with seed 20261298), and the blind30 set (tests/data/policy_eval_blind30_{dev,heldout}.jsonl:
300 from young people and people back from work elsewhere -- internet slang and pinyin abbreviations (zf, bt), when or
until which year, how many, with the figure or year said otherwise than the plan (两千多万, 二五年) --; 90 not answered
by the plan, split once in halves with seed 20261300), and the blind31 set
(tests/data/policy_eval_blind31_{dev,heldout}.jsonl: 300 very short questions, questions naming a town, a village or a
workplace of the county, questions asked as a doubt (是不是没有…了) and ones that say first who asks; 90 not answered by
the plan, split once in halves with seed 20261302), and the blind32 set
(tests/data/policy_eval_blind32_{dev,heldout}.jsonl: 300 from people asking about their own trade -- tea farmers,
homestay owners, drivers, building workers, carers, online sellers, people laid off --, questions comparing two
things and follow-ups that start with 那/还有; 90 not answered by the plan, split once in halves with seed 20261305),
and the blind33 set (tests/data/policy_eval_blind33_{dev,heldout}.jsonl: 300 from young mothers, women at home while
the husband works away, carers, households with hardships, and programmes called by a wrong name; 90 not answered by
the plan, split once in halves with seed 20261308), and the blind34 set
(tests/data/policy_eval_blind34_{dev,heldout}.jsonl: 300 asking what to do step by step -- the fairs and the
market, social-insurance windows, wages owed, disputes, injuries and contracts -- from workers, small employers and
village cadres; 90 not answered by the plan, split once in halves with seed 20261311), and the blind35 set
(tests/data/policy_eval_blind35_{dev,heldout}.jsonl: 300 in unusual forms -- official wording, a pasted notice with a
short question after it, figures in financial capitals or odd units, all Traditional characters, long asides --; 89
not answered by the plan, split once in halves with seed 20261314), and the blind36 set
(tests/data/policy_eval_blind36_{dev,heldout}.jsonl: 300 from small employers about hiring and subsidies, families of
disabled people, questions on a wrong premise or citing a measure loosely, greetings and emoji around the question; 88
not answered by the plan, split once in halves with seed 20261317), and the blind37 set
(tests/data/policy_eval_blind37_{dev,heldout}.jsonl: 300 typed in a hurry with abbreviations, comparing years 2022 to
2027, from people outside the usual groups, and near-misses asking a detail the plan does not give; 87 not answered by
the plan, split once in halves with seed 20261320), and the blind38 set
(tests/data/policy_eval_blind38_{dev,heldout}.jsonl: 300 from women back from factories elsewhere, home workshops and
carers, asking which department or whether they count, with Quzhou and Kaihua dialect words; 92 not answered by the
plan, split once in halves with seed 20261323), and the blind39 set
(tests/data/policy_eval_blind39_{dev,heldout}.jsonl: 300 typed for a grandparent or neighbour, naming a place or a
season, asking after a pushed message, comparing two figures, and very short; 100 not answered by the plan, split once
in halves with seed 20261326), and the blind40 set (tests/data/policy_eval_blind40_{dev,heldout}.jsonl: 303 from
people unsure the plan is for them, checking what a neighbour said, in a notice's words, and typed on an old phone; 99
not answered by the plan, split once in halves with seed 20261329), and the blind41 set
(tests/data/policy_eval_blind41_{dev,heldout}.jsonl: 312 from people in named jobs with their story, follow-ups
starting with 那/还有, figures quoted slightly wrong, all-Traditional and full-width; 103 not answered by the plan,
split once in halves with seed 20261332), and the blind42 set (tests/data/policy_eval_blind42_{dev,heldout}.jsonl:
258 of 300, 42 repeats of older sets dropped, from people who half-remember a notice's term, ask "can I" with a
condition about themselves, ask when and until when, ramble by voice input or type 2–6 characters; 84 not answered
by the plan, split once in halves with seed 20261337), and the blind43 set (tests/data/policy_eval_blind43_{dev,
heldout}.jsonl: 301 of 326, 25 repeats dropped, asked for someone else (a village cadre, an employer, a parent, a
neighbour), quoting a wrong year or figure, with the place and the story first; 80 not answered by the plan, split once
in halves with seed 20261339), and the blind44 set (tests/data/policy_eval_blind44_{dev,heldout}.jsonl: 306 of 317,
11 repeats dropped, typed like search words, with Wu dialect words, comparing two things, about the bot itself, opening
with a greeting; 85 not answered by the plan, split once in halves with seed 20261342), and the blind45
set (tests/data/policy_eval_blind45_{dev,heldout}.jsonl: 303 of 320, 17 repeats dropped, asked by people in a
situation the plan names or nearly names (back after childcare, out of prison, a veteran, a migrant, a student on
holiday), often doubtful or negative, voice input full of filler words; 76 not answered by the plan, split once in
halves with seed 20261345), and the blind46 set (tests/data/policy_eval_blind46_{dev,heldout}.jsonl: 303
of 320, 17 repeats dropped, with abbreviations and English words, names half-known or garbled, a wrong premise
to correct, internet words, asked by a cadre or clerk for a villager; 76 not answered by the plan, split once in
halves with seed 20261348), and the blind47 set (tests/data/policy_eval_blind47_{dev,heldout}.jsonl: 298 of
320, 22 repeats dropped, asked by women back after raising children, people over 60 or with a disability, a family
in hardship, a graduate back from a city, a village cadre and a tea-shop owner; long voice input without
punctuation, comparisons of two things, the indicator table in everyday words; 76 not answered by the plan, split
once in halves with seed 20261351).
`--no-heldout` leaves the held-out halves out (for working on the method).
`--old` adds the two earlier sets (written beside the first method).
Run: .venv/bin/python benchmarks/policy_qa.py [--verbose] [--old] [--no-heldout]
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
DEV_SET = DATA / "policy_eval_dev.jsonl"
HELDOUT_SET = DATA / "policy_eval_heldout.jsonl"
PROBE_SET = DATA / "policy_eval_probe.jsonl"
FRESH_DEV_SET = DATA / "policy_eval_fresh_dev.jsonl"
FRESH_HELDOUT_SET = DATA / "policy_eval_fresh_heldout.jsonl"
EVERYDAY_SET = DATA / "policy_eval_everyday.jsonl"
# Each blind set is two files, policy_eval_<name>_{dev,heldout}.jsonl.
BLIND_SETS = ("blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7", "blind8", "blind9",
              "blind10", "blind11", "blind12", "blind13", "blind14", "blind15",
              "blind16", "blind17", "blind18", "blind19", "blind20", "blind21", "blind22",
              "blind23", "blind24", "blind25", "blind26", "blind27", "blind28", "blind29", "blind30", "blind31",
              "blind32", "blind33", "blind34", "blind35", "blind36", "blind37", "blind38",
              "blind39", "blind40", "blind41", "blind42", "blind43", "blind44", "blind45", "blind46",
              "blind47")
TRAIN_SETS = tuple(DATA / f"policy_eval_train{n}.jsonl" for n in (4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
                                                                              19, 20, 21, 22, 23, 24, 25))
SPOKEN_PROBE_SET = DATA / "policy_eval_spoken_probe.jsonl"
SPOKEN_CHECK_SET = DATA / "policy_eval_spoken_probe2.jsonl"
OLD_SETS = (DATA / "policy_qa.jsonl", DATA / "policy_qa_holdout.jsonl")
NOT_COVERED = "这个问题方案里没有提到"
SOURCE_LINE = "\n出处"
_MEASURE = re.compile(r"\s(\d+)$")
# Which part of the shipped plan a non-measure citation is: the eval sets name them this way.
_PART_LABELS = {"一、(一)": "guideline", "一、(二)": "background", "一、(三)": "principle", "一、(四)": "table"}


def load_eval(path: Path = DEV_SET) -> list[dict]:
    """Rows as {"q", "kind", "refs", "type", "facts"}; the older sets' rows are read into that shape."""
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    for row in rows:
        if "measure" in row:
            row["refs"] = row["measure"].split(",") if row["measure"] else []
            row["facts"] = row["must_contain"]
            row["kind"] = "uncovered" if not row["refs"] else row["kind"]
    return rows


def label(ref: str) -> str:
    """The eval-set label of a citation ref: "二、(四) 13" → "13", "一、(四)" → "table",
    "三、(二)" → "safeguard", the bot's own how-to ("使用说明") → "howto"."""
    if m := _MEASURE.search(ref):
        return m.group(1)
    if ref.startswith("三、"):
        return "safeguard"
    if ref.startswith("使用说明"):
        return "howto"
    return _PART_LABELS.get(ref, ref or "preamble")


def outcome(row: dict, answer) -> str:
    """ "right", "no-answer" (an honest "not covered") or "wrong"."""
    if not answer.answered:
        return "right" if not row["refs"] and answer.answer.startswith(NOT_COVERED) else "no-answer"
    if not row["refs"]:
        return "wrong"
    cited = {label(c.ref) for c in answer.citations}
    right = bool(cited & set(row["refs"])) and all(f in answer.answer for f in row["facts"])
    return "right" if right else "wrong"


def is_correct(row: dict, answer) -> bool:
    return outcome(row, answer) == "right"


def lead_length(answer) -> int:
    """Characters a reader takes in before the 出处 line (the whole reply when it has none)."""
    return len(answer.answer.split(SOURCE_LINE)[0])


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]


def run(kb, rows: list[dict], name: str, verbose: bool) -> dict[str, float]:
    by_kind: dict[str, list[tuple[str, float, int]]] = defaultdict(list)
    misses = []
    cpu: list[float] = []  # CPU time per question: what latency would be on an idle machine
    for row in rows:
        started, started_cpu = time.perf_counter(), time.process_time()
        answer = kb.ask(row["q"])
        took = (time.perf_counter() - started) * 1000
        cpu.append((time.process_time() - started_cpu) * 1000)
        result = outcome(row, answer)
        by_kind[row["kind"]].append((result, took, lead_length(answer)))
        if result != "right":
            misses.append((row, answer, result))
    print(f"\n{name}: {len(rows)} questions")
    print(f"  {'kind':<12} {'n':>3} {'right':>7} {'no-ans':>7} {'wrong':>7} {'p50 ms':>7} {'p95 ms':>7} {'len':>5}")

    def line(kind: str, results: list[tuple[str, float, int]]) -> None:
        n = len(results)
        share = {o: 100 * sum(r[0] == o for r in results) / n for o in ("right", "no-answer", "wrong")}
        if kind == "uncovered":  # here the honest no-answer is the right one
            share["no-answer"], share["right"] = share["right"], 0.0
        took = [r[1] for r in results]
        print(f"  {kind:<12} {n:>3} {share['right']:>6.1f}% {share['no-answer']:>6.1f}% {share['wrong']:>6.1f}%"
              f" {statistics.median(took):>7.2f} {_p95(took):>7.2f} {statistics.mean(r[2] for r in results):>5.0f}")

    for kind in sorted(by_kind):
        line(kind, by_kind[kind])
    answerable = [r for kind, results in by_kind.items() if kind != "uncovered" for r in results]
    line("ANSWERABLE", answerable)
    if by_kind.get("uncovered"):
        line("UNCOVERED", by_kind["uncovered"])
    every = [r[1] for results in by_kind.values() for r in results]
    right = 100 * sum(r[0] == "right" for r in answerable) / max(len(answerable), 1)
    honest = by_kind.get("uncovered", [])
    honest_share = 100 * sum(r[0] == "right" for r in honest) / max(len(honest), 1)
    print(f"  answerable right {right:.1f} %, honest no-answer {honest_share:.1f} %, "
          f"latency p50 {statistics.median(every):.2f} ms p95 {_p95(every):.2f} ms max {max(every):.2f} ms "
          f"(CPU time p95 {_p95(cpu):.2f} ms; machine load {os.getloadavg()[0]:.1f})")
    if verbose:
        print(f"  misses: {len(misses)}")
        for row, answer, result in misses:
            cited = ",".join(label(c.ref) for c in answer.citations) or "-"
            print(f"    [{row['kind']}/{result}] {row['q']}  expected {row['refs']} {row['facts']}  got {cited}")
            print("      " + answer.answer.replace("\n", "\n      "))
    return {"right": right, "honest": honest_share, "p95": _p95(every)}


def main(argv: list[str]) -> int:
    started = time.perf_counter()
    from knowledge.policy import PolicyBase

    kb = PolicyBase.load()
    print(f"start-up (imports + load, fresh process): {time.perf_counter() - started:.2f} s")
    kb.ask("热身")  # the first question pays for lazy imports; latency is measured after start-up
    run(kb, load_eval(DEV_SET), "dev half", "--verbose" in argv)
    run(kb, load_eval(PROBE_SET), "probe set", "--verbose" in argv)
    run(kb, load_eval(FRESH_DEV_SET), "fresh dev", "--verbose" in argv)
    run(kb, load_eval(EVERYDAY_SET), "everyday set", "--verbose" in argv)
    for name in BLIND_SETS:
        run(kb, load_eval(DATA / f"policy_eval_{name}_dev.jsonl"), f"{name} dev", "--verbose" in argv)
    for path in TRAIN_SETS:
        run(kb, load_eval(path), f"{path.stem.removeprefix('policy_eval_')} set", "--verbose" in argv)
    run(kb, load_eval(SPOKEN_PROBE_SET), "spoken probe", "--verbose" in argv)
    run(kb, load_eval(SPOKEN_CHECK_SET), "spoken check", "--verbose" in argv)
    if "--no-heldout" not in argv:
        # Misses of the held-out halves are never printed: they are not for tuning.
        run(kb, load_eval(HELDOUT_SET), "held-out half", False)
        run(kb, load_eval(FRESH_HELDOUT_SET), "fresh held-out", False)
        for name in BLIND_SETS:
            run(kb, load_eval(DATA / f"policy_eval_{name}_heldout.jsonl"), f"{name} held-out", False)
    if "--old" in argv:
        for path in OLD_SETS:
            run(kb, load_eval(path), f"older set {path.name}", False)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
