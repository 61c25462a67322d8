"""The thing a question asks about, foreign to the plan: which nouns count (`Scope`), and the honest
no-answer for near-misses that name a plan word beside it, while spoken questions are still answered."""

from __future__ import annotations

import pytest

from knowledge.policy import PolicyBase
from knowledge.policy.expand import word_classes
from knowledge.policy.scope import Scope

NOT_COVERED = "这个问题方案里没有提到"
CORPUS = "建设零工驿站,每月8日、18日开展招聘活动,发放创业担保贷款,落实工资保障"


@pytest.fixture(scope="module")
def kb() -> PolicyBase:
    return PolicyBase.load()


@pytest.fixture(scope="module")
def scope() -> Scope:
    return Scope(CORPUS, known={"手机上"})


def test_the_thesaurus_tells_a_words_broad_class() -> None:
    classes = word_classes()
    assert "Ae" in classes["厨子"]  # a person by trade
    assert "Cb" in classes["县城"]  # a place
    assert "Bo" in classes["电话"]  # a thing made


@pytest.mark.parametrize("word", ["电话", "医保", "三轮车", "利息"])
def test_a_noun_the_documents_never_use_is_foreign(scope: Scope, word: str) -> None:
    assert scope.foreign(word)


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("驿站", ()),  # the documents' own word
        ("手机上", ()),  # a phrase the lexicon knows
        ("月工资", ("工资",)),  # a plan word said with more
        ("厨子", ()),  # a person
        ("养殖户", ()),  # a person the thesaurus lacks
        ("县城", ()),  # a place
        ("辰光", ()),  # a time
        ("开了个", ()),  # two words cut as one
        ("gdp", ()),  # not Chinese
    ],
)
def test_the_documents_words_and_the_askers_circumstances_are_not(
    scope: Scope, word: str, parts: tuple[str, ...]
) -> None:
    assert not scope.foreign(word, parts)


@pytest.mark.parametrize(
    "question",
    [
        "零工驿站的电话多少",  # the plan has 零工驿站, not its telephone
        "残疾人三轮车怎么申请",
        "创业贷款要抵押房产证吗",  # the learned guess reads it, since train8, as what the plan does not answer
        "见习基地包不包住宿",
        "种油菜有补贴吗",  # the kind of money asked names no thing; 油菜 does
        "老伴住院了医保能报几成",  # "几成" asks, though no other question word does
        "人力资源市场几点下班",  # an hour of the day, which the plan never gives
    ],
)
def test_near_misses_beside_a_plan_word_stay_unanswered(kb: PolicyBase, question: str) -> None:
    answer = kb.ask(question)
    assert not answer.answered and answer.answer.startswith(NOT_COVERED), answer.answer


@pytest.mark.parametrize(
    ("question", "ref"),
    [
        ("县城里每个月哪几天有招聘会", "二、(一) 2"),  # a place of the county
        ("养殖户能不能贷款创业", "二、(三) 8"),  # a kind of person
        ("手机上能找零工的活吗", "二、(一) 1"),  # the means, not the thing asked
        ("我在工地摔伤了老板不管咋办", "二、(六) 21"),  # the story's place
    ],
)
def test_spoken_questions_with_words_of_their_own_are_still_answered(kb: PolicyBase, question: str, ref: str) -> None:
    answer = kb.ask(question)
    assert answer.answered and answer.citations[0].ref == ref, answer.answer
