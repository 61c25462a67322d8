"""Sums of money a question says it heard of ("听说公益岗一个月能拿两千五", "隔壁讲登记一回就发两百块红包"),
and whether the documents state them: a sum they never state is not theirs to confirm, whatever
measure the rest of the question names."""

from __future__ import annotations

import re

from knowledge.text import arabize

_SCALE = {"千": 1e3, "万": 1e4, "亿": 1e8}
# what the documents state as money: "1000元", "2万元", "贷款2100万", "1.55亿" (not "1万个", "10万亩")
_STATED = re.compile(r"(\d+(?:\.\d+)?)([万亿]?)元|(\d+(?:\.\d+)?)([万亿])(?![\d个人亩吨家次名户场件处所座元])")
# what a question says was paid: "两百块", "2500元", "一万块"; or a bare sum paid out ("能拿2500")
_SAID = re.compile(r"(\d+(?:\.\d+)?)\s*([千万]?)(?:块钱?|元)|(?:拿|领|发|补)(\d{3,})(?![\d.个人])")
# told by someone else, or asked to be confirmed
_HEARD = re.compile(r"听说|听讲|听人|隔壁|邻居|有人说|别人说|人家说|帖子|朋友圈|群里|真的假的|真的吗|是不是真的"
                    r"|有这好事|有这回事|有这么多|是不是|说是")
# a sum one is owed is a story of one's own, not a sum heard of
_OWED = re.compile(r"欠|拖")


def stated(text: str) -> set[float]:
    """The sums of money the text states, in 元."""
    return {float(a or c) * _SCALE.get(b or d, 1) for a, b, c, d in _STATED.findall(arabize(text))}


def unheard_of(question: str, known: set[float]) -> bool:
    """Whether the question checks a sum it heard of that is none of the `known` sums."""
    if not _HEARD.search(question) or _OWED.search(question):
        return False
    said = [float(number or bare) * _SCALE.get(scale, 1) for number, scale, bare in _SAID.findall(arabize(question))]
    said = [s for s in said if s > 1]  # "一块搞", "那一块": together, a part, no money
    return bool(said) and not any(s in known for s in said)
