"""What a person says of themselves when asking whether they can take part ("我65了还能贷款吗",
"女的能去见习吗", "残疾人能当保安吗"), and whether a passage of the plan speaks of it: a "能" is
only the plan's to give when it does; otherwise the answer says the plan does not say."""

from __future__ import annotations

import re

from knowledge.text import arabize

OLD = 60  # an age said at or above this asks about older people

# (what the question says of the asker, what the passage must speak of for a "能", how the answer names it)
_CONDITIONS = (
    (re.compile(r"年纪大|岁数大|上了年纪|老人|老年|老头|老太"), re.compile(r"老年|银龄|大龄|岁"), "年龄"),
    (re.compile(r"女的|女人|妇女|女同志|女孩|姑娘"), re.compile(r"妇女|女性|巾帼"), "男女"),
    (re.compile(r"残疾|残障|腿脚不好|瘸"), re.compile(r"残疾|残障"), "残疾"),
    (re.compile(r"外地|外省|外县|不是开化|不是本地|户口在|户口不在|户籍|嫁过来|嫁到"),
     re.compile(r"外地|外来|省外|县外|新开化人|引进|户籍"), "户籍"),
)
_AGE = re.compile(r"(\d{2})(?:岁|周岁|了|多)")
_CAVEAT_SAID = "方案没写对{name}有没有要求，具体请问{department}，或打12333。"
_CAVEAT = re.compile("^" + re.escape(_CAVEAT_SAID).replace(r"\{name\}", r"\S{2}").replace(r"\{department\}", r"\S+?"))


def caveat(name: str, department: str) -> str:
    """The sentence that says the plan does not speak of what the asker said of themselves."""
    return _CAVEAT_SAID.format(name=name, department=department)


def without_caveat(lead: str) -> str:
    """The lead without that sentence: what the answer says of the plan itself."""
    return _CAVEAT.sub("", lead)


def unspoken(question: str, passage: str) -> str | None:
    """How the answer names the first thing the asker says of themselves that the passage does not
    speak of (年龄, 男女, 残疾, 户籍); None when there is none, or the passage speaks of each."""
    said = arabize(question)
    for asked, spoken, name in _CONDITIONS:
        old = name == "年龄" and any(int(a) >= OLD for a in _AGE.findall(said))
        if (old or asked.search(said)) and not spoken.search(passage):
            return name
    return None
