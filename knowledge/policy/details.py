"""The details a question may ask for that a plan either states outright or not at all (a fee, a
phone number, an address, opening hours, a deadline, a month, conditions, an age limit, a penalty,
meals and a bed, a post for good, a download or sign-up, the next session, the towns on a list, a sum
paid out that the asker heard of): how
asking for each one sounds, and what a text that gives it must contain. A passage on the topic that
lacks the detail asked does not answer ("残疾人之家管不管午饭" is not told by where they are built).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.text import arabize_counts


@dataclass(frozen=True)
class Detail:
    name: str
    asked: re.Pattern[str]  # how a question asks for it
    given: re.Pattern[str]  # what a text that tells it contains
    # Asked only in the clause that asks: "我们村算不算合作创业村？全县要建多少个？" still gets the total.
    in_asking_clause: bool = False


_OWN_PLACE = r"(?:我们|我|俺们?|咱们?|阿拉)(?:村|乡|镇)"
_ON_LIST = r"(?:排上|在里面|在不在|算不算|是不是在|有没有份|轮到|排第几|排名)"

DETAILS = (
    # What one pays; "能挣多少钱", "一年发多少钱" ask a figure, which the figure checks handle.
    Detail("fee",
           re.compile(r"要不要钱|要钱[吗伐不]|收不收[费钱]|收费|[学加盟手续运报名介车路]费|[交付花要]多少钱|要钞票|抽几成|提成"
                      r"|费谁出|费用谁"),
           # "人均月增收1000元" is what one earns, not a fee.
           re.compile(r"费|免费")),
    # "会不会打电话通知我" asks no number.
    Detail("phone", re.compile(r"电话多少|电话号码|电话是|联系电话|联系方式|[怎咋]么?联系|热线"),
           re.compile(r"电话|热线|\d{5,}")),
    Detail("address", re.compile(r"地址|哪条[街路]|什么[街路]|门牌|[哪具]个?体?位置"),
           re.compile(r"地址|路\d+号|街\d+号")),
    # "下班早" tells of one's day: only asking forms count
    Detail("hours", re.compile(r"几点|上班时间|办公时间|开门时间|下班时间|[啥什么]时候下班"),
           re.compile(r"\d+[点时](?!期)|工作日")),
    # "截止哪年" asks a year, which the date checks handle
    Detail("deadline", re.compile(r"(?:截止|最晚)(?!到?(?:哪|几几))"), re.compile(r"截止|\d+月\d+[日号]|\d+[日号]前")),
    Detail("conditions", re.compile(r"[啥什么哪些]条件|条件是|够不够格|资格|门槛|评选|[怎咋]么评(?![估价])"),
           re.compile(r"条件|符合|资格")),
    # "人才周几月份办": the plan gives years and the fairs' days of the month, never a month of the year
    Detail("month", re.compile(r"几月|哪个月"), re.compile(r"\d+月|每月")),
    Detail("age", re.compile(r"年龄|多大岁数|多少岁|岁数[^，,？?]*限|超龄"), re.compile(r"\d+岁|周岁|年龄")),
    # "写个材料" or "材料不全能先办吗" ask for no list of papers.
    Detail("papers",
           re.compile(r"要?带[啥什么]|办[啥什么]证|[啥什么哪些]证件?[?？吗]|[啥什么哪些]手续|[啥什么哪些]材料"),
           re.compile(r"证件|材料|手续")),
    Detail("penalty", re.compile(r"罚"), re.compile(r"罚")),
    # what a loan or a job asks one to put up, and how long one may keep a post: the plan says neither
    Detail("collateral", re.compile(r"抵押|担保人|押金"), re.compile(r"抵押|担保人|押金")),
    # paying a loan back, and whether all of something is paid: terms the plan leaves to the offices
    Detail("repayment", re.compile(r"[要得]还[吗不伐]|还不还|不用还|免还|还款|还不上|还不起"),
           re.compile(r"还款|偿还|免还")),
    Detail("in full", re.compile(r"全额|全免|全包|全部[贴报免补]"), re.compile(r"全额|全免|全部")),
    # "SYB和GYB哪个好", "哪个共富工坊工资最高": the plan sets nothing against anything, ranks nothing
    Detail("comparison", re.compile(r"哪[个样](?:好|更|强|划算|容易|赚|挣|吃香)[^，,。\s]{0,3}$"
                                    r"|哪[个家]\S{0,6}最[高多好低少]"),
           re.compile(r"优于|好于|更适合")),
    Detail("term", re.compile(r"[干做]满|最长[能可]?[干做]|[能可][干做]几年"), re.compile(r"年限|期限|最长|满\d+年")),
    # What a job, course or place gives besides: meals and a bed, a post for good (编制, 包分配).
    Detail("board", re.compile(r"管[不没]?管?(?:饭|午饭|中午饭|吃|住)|包[不没]?包?(?:吃|住|饭)|几顿饭|住宿|宿舍"),
           re.compile(r"食宿|住宿|宿舍|[午就用]餐|包吃|包住"), in_asking_clause=True),
    Detail("placement", re.compile(r"包[不没]?包?分配|分配工作|编制|留人|留用|转正"),
           re.compile(r"分配|编制|留用|转正"), in_asking_clause=True),
    # When or where the next one is ("引才活动下一场在哪办"): only a fixed day tells ("每月8日、18日").
    Detail("next", re.compile(r"下一?[场期次回轮]|下个月|下礼拜|下周|下星期"), re.compile(r"每月\d+日|每周|每天"),
           in_asking_clause=True),
    # Where to get an app or a website: the plan names the services, never how to reach them.
    Detail("link", re.compile(r"下载|[怎咋]么?注册|网址|链接|哪[个只]小程序|哪个(?:APP|app|软件)"),
           re.compile(r"下载|注册|网址|http|www"), in_asking_clause=True),
    # Whether the asker's own village or town is on a list ("我们村有没有排上", "我们村算不算高质量就业村"),
    # or which towns: the plan names none, only where something reaches every one ("全覆盖").
    Detail("places",
           re.compile(rf"{_OWN_PLACE}[^,，;；?？。]*?{_ON_LIST}|{_ON_LIST}[^,，;；?？。]*?{_OWN_PLACE}"
                      r"|哪[个些几]个?(?:乡镇|乡|镇|村)"),
           re.compile(r"全覆盖|[每各所]个?有?(?:乡镇|村)都"), in_asking_clause=True),
)


# "听说每人补5000，是真的吗", "听讲每个零工发1000块补贴": a sum heard of as paid out to people
_HEARSAY = re.compile(r"听说|听讲|据说|听人说|听人讲|有人说|网上说|传言")
_CHECKING = re.compile(r"真的吗|是真的|真的假的|是不是真的|真的不|真不真|有这回事|有这事|靠谱吗|属实")  # is it so?
_SUM_PAID = re.compile(r"(?:补|发|给|奖|赔)[贴助了]?[^\d,，。;；？?]{0,4}?(\d+(?:\.\d+)?)(?:([千万]?)(?:块钱?|元)"
                       r"|([千万])|(?<=\d\d\d)(?![\d.]))")  # a sum: with its unit, or a round number alone
_MONEY_GIVEN = r"补贴|补助|发放|奖励|奖补|资助|贷款"


# "听说60岁以上干活出了事县里全包赔": a promise heard of in full, which only the same words confirm
_IN_FULL = re.compile(r"全包|包赔|全赔|全免|全报|全额|白给|白送|免费|不要钱")


def _heard_of(text: str) -> Detail | None:
    """A rumour of a sum paid out is told only by a text that pays out that very sum: "人均月增收1000元"
    (what people earn) does not confirm "每个零工发1000块补贴"; one of a thing given in full ("全包赔",
    "免费") only by a text that says so."""
    if not (_HEARSAY.search(text) and _CHECKING.search(text)):
        return None
    if in_full := _IN_FULL.search(text):
        return Detail("promise heard of", _HEARSAY, re.compile(re.escape(in_full.group(0))))
    paid = _SUM_PAID.search(text)
    if paid is None:
        return None
    amount = re.escape(paid.group(1)) + {"千": "000", "万": "万"}.get(paid.group(2) or paid.group(3) or "", "")
    given = (rf"(?:{_MONEY_GIVEN})[^,;。]{{0,12}}?(?<![\d.]){amount}万?元"
             rf"|(?<![\d.]){amount}万?元[^,;。]{{0,4}}(?:{_MONEY_GIVEN})")
    return Detail("sum heard of", _HEARSAY, re.compile(given))


def asked_details(text: str, asking: str) -> tuple[Detail, ...]:
    """The details a question wants (its story seldom sounds like asking for one); asking is the
    clause that asks."""
    heard = _heard_of(arabize_counts(text))
    return tuple(d for d in DETAILS if d.asked.search(asking if d.in_asking_clause else text)) + \
        ((heard,) if heard else ())
