"""Reading a question: search form (emoji dropped, pinyin and homophones repaired), spoken synonyms,
content words with the story around them set aside, years, places, and what kind of answer is
wanted (a figure, one person's amount, a day, who, where, yes or can)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property

from knowledge.places import gazetteer
from knowledge.policy.details import Detail, asked_details
from knowledge.policy.expand import Expander, names_no_place
from knowledge.policy.index import THING_FLAGS, char_pairs
from knowledge.policy.lexicon import Concept, Lexicon, Speller, word_bounds
from knowledge.policy.scope import Scope
from knowledge.text import arabize, arabize_counts, compact
from knowledge.tokenizer import SKIP, Tokenizer

EXPANSION_WEIGHT = 0.5  # BM25 weight of what a spoken word stands for, when the documents use the word itself
THESAURUS_WEIGHT = 0.5  # weight, in search and coverage, of a thesaurus synonym of a word the documents lack

_YEAR4 = re.compile(r"(?<![\d.])(20\d{2})(?![\d.])(?!\s*[多余来]?[万亿千百元人个家名亩场次吨%])")
# "22年" → 2022, but "干了10年", "10年了", "10多年" tell how long.
_YEAR2 = re.compile(r"(?<![\d.了过近快整这好几干做待住来])([12]\d)\s*年"
                    r"(?!\s*(?:代|龄|级|轻|纪|了|来|多|左右|以上|以内|之内|间|半))")  # \s: _YEAR_GLUE's space
# "做生意二十年": tens of years said in words are how long; a year is said digit by digit ("二三年")
_SPOKEN_SPAN = re.compile(r"([一二两三四五六七八九]?十[一二三四五六七八九]?)(?:多|来|几)?年")
# The plan's "今年" is the year it was issued: "今年要新增多少就业" asks its target for that year.
_RELATIVE_YEARS = {"今年": 0, "去年": -1, "明年": 1}
_YEAR_GLUE = re.compile(r"(\d年)(?=[\u4e00-\u9fff])")
# "几" asks for a number, "哪几" for a list ("有哪几条"), "几号" for a day; "五十好几", "十几年" tell a story.
_NUMBER_INTENT = re.compile(r"多少|人数|人次|总数|总额|多久|多长时间|(?<![哪好\d十])几(?![号日月时])|比例|比重"
                            r"|[啥什么]价|占比|率|数量|金额|产值|多大|多高|多长|百分之|数字(?!银龄|化|经济|乡村|技能|赋能)")
# The unit a figure must carry to answer "多少人/几家/多少钱/占比多少": word after 多少/几 → unit.
_COUNTED_UNIT = {"人": "人|名", "名": "人|名", "家": "家", "亩": "亩", "场": "场|次", "次": "场|人?次", "条": "条",
                 "斤": "斤", "岁": "岁", "岗位": "个",
                 "钱": "元", "元": "元", "块": "元", "块钱": "元"}
_MONEY_WORDS = frozenset({"钱", "金额", "费用", "工资", "工钱", "收入", "补贴", "补助", "津贴", "奖励", "补偿", "赔偿",
                          "挣", "赚"})
_PRICE = re.compile(r"多少钱[1一每]?[个台斤件亩只套次张把袋箱]|[1一每][个台斤件亩只套次张把袋箱](?:要|卖|得)?多少钱"
                    r"|单价|价格|价钱|售价|收购价|[啥什么]价|几[块元]钱?一斤")
_NAMED_MONEY = _MONEY_WORDS - {"钱", "金额", "费用"}
_EXTREMES = frozenset({"最高", "最低", "最多", "最少", "上限", "封顶"})
_PAYING = frozenset({"交", "缴", "付", "花", "收"})  # "一年交多少" asks an amount of money
# "多少老年人", "几个大学生": a counted noun naming people asks for a number of people.
_PEOPLE_NOUN = re.compile(r"人(?!才)|[生员工客]$")
# "我六十二了，县里一年能帮多少老人": the county named after the asker, before the figure is asked for, is
# whose figure it is.
# "俺们开化茶园有多大", "我开民宿的 23年底旅游从业的人目标是多少": the county's
_COUNTY = re.compile(r"县里|全县|县上|政府|(?:我们|俺们|咱们?)开化|目标|指标")
_COUNTY_UNITS = frozenset({_COUNTED_UNIT["人"], _COUNTED_UNIT["家"], _COUNTED_UNIT["场"], _COUNTED_UNIT["亩"],
                           _COUNTED_UNIT["条"], "%"})
_COUNTED_THINGS = re.compile(r"(?:多少|几)(?:个|所|批|期)(?!月)")
_DURATION = frozenset({"多久", "多长时间", "多少天", "几天"})
# "能干几年", "要干几个月", "上几个钟头": how long, unlike "这几年" or "几月份" (when).
_SPAN = re.compile(r"(?<![这那前近好十哪几])(?:几|多少)(?:年|天|周|个?星期|个月|个?钟头|个?小时)(?![代级纪前来轻])")
_SPAN_UNIT = r"天|个月|小时|钟头|工作日|周|星期|(?<!\d{3})年"  # "3年", never "2025年"
# "现在已经发了多少个活", "去年实际引进了多少大学生": a count of what has been done, not a target. Only
# the table's 完成情况 column tells one; "今年", "现在", "目前" ask for one the plan cannot have.
_ACHIEVED = re.compile(r"已经|实际|到现在|到目前|截至目前|做到了|后来|真[正的]?(?:做成|开了|干成)")
_NOW = re.compile(r"今年|现在|目前|这个月")
_CLOCK = frozenset({"几点", "几点钟"})  # "几点下班": an hour of the day, which the plan never gives
_SHARE_WORDS = frozenset({"比例", "比重", "占比", "百分之", "百分比"})
_JOINED = re.compile(r"和|与|跟|及|还有|还想|也想|、|或者|另外|同时")
_QUESTION_MORPHEME = re.compile(r"哪|什么|啥|怎|咋|谁|几|多少")
# "几年能建成": by which year something is done, as the plan says it ("2027年创成技师学院")
_BY_YEAR = re.compile(r"几年(?:能|可以|会|才|就)?(?:建成|建好|办成|创成|完成|弄好|搞好)")
_DATE_ASKED = re.compile(r"什么时候|啥时候|几号|哪天|哪[几两2]天|哪[一1]天|哪[几两2]号|几月|哪年|哪[一1]年|几几年"
                         r"|什么日子|日期|几时|" + _BY_YEAR.pattern)
_YEAR_ASKED = re.compile(f"哪年|哪[一1]年|几几年|哪个年份|啥年|{_BY_YEAR.pattern}")
_DAY_ASKED = re.compile(r"几号|几日|哪天|哪[几两2]天|哪一天|哪[几两2]号|什么日子|日期")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
# "每月给她补多少", "一串给几毛钱": what one person gets a month or a piece is asked too, not a day of the
# month ("招聘会每月几号").
_PERSONAL = re.compile(r"我|俺|个人|每人|每个人|每户|[1一](户|件|天|个月|串|节课|斤|亩|小时|个[\u4e00-\u9fff]{0,2}活)"
                       r"|自己|能贷|能借|能领|能拿(?!出)|能补|能挣|能赚|给[她他](?!们)|每个?月(?![几\d哪])"
                       r"|每[亩斤件](?!地)|(?:最多|最高)能?[贷借领拿补]|[贷借]几万")
# A question ending runs on into the next question when no mark is typed ("有见习基地吗见习的时候受伤算工伤吗").
_PUNCTUATION = re.compile(r"[,;!?，；！？。]+|(?:(?<=[吗呢嘛])|(?<=怎么办)|(?<=咋办|咋整|找谁))(?=[\u4e00-\u9fff]{4})")
# Voice input and older people put blanks where commas go ("俺家有几亩茶园 县里有啥帮衬"), and
# between words said one by one ("就是 创业 贷款 那个 一年县里放多少"): a blank between Chinese words
# ends a clause after a piece longer than a lone word; lone words join the clause that follows.
_BLANK = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff]|\d{4}年)")  # a year starts a clause too
LONE_WORD = 2
# A clause that asks something (not the story around it): a question word or a question ending.
ASKING = re.compile(r"[吗嘛么呢不没伐]$|哪|什么|啥|怎|咋|谁|几|多少|能不能|可不可以|有没有|是不是|要不要"
                    r"|([\u4e00-\u9fff])不\1")  # "管不管", "包不包分配", "认不认"
# "谢谢啦", "麻烦了", "你好": a courtesy said around the question asks nothing.
_COURTESY = re.compile(r"^(?:谢谢|多谢|感谢|麻烦|劳驾|拜托|辛苦|请问|问一下|问下|你好|您好|打扰|在吗|在不在)")
COURTESY_CLAUSE = 6
MEANT_MIN = 4  # what is left of a question said not to be asked must still ask something
# "俺家有几亩茶园县里有啥帮衬", "在外头混了几年想回来": a "几" followed by another question word tells
# a rough number in the story; the question is asked later.
# "一个月领几百块晓得不": a tag asking whether one knows, after the question, is not the story's 不
_KNOW_TAG = re.compile(r"(?:晓得|知道|清楚|懂)[不没]?$")
_STORY_FEW = re.compile(r"几(?=[^,;!?，；！？。\s]*?(?:啥|什么|怎么|咋|吗|嘛|么|呢|谁|哪|能不能|有没有|[不没]$))")
# where the asker works, studies or lives, or comes from ("我从婺源坐车过来"): not a place asked about
_WHERE = re.compile(r"在[\u4e00-\u9fff]{1,8}?(干活|干了|干|做工|做事|上班|打工|务工|工作|帮工|读书|读的|读|上学|住)"
                    r"|从[\u4e00-\u9fff]{1,6}?(?:坐车|开车|骑车)?(?:过来|嫁过来|来的|来|回来|搬过来|搬来)")
SHORT_TAG = 4
# A clause this long with no stop in it may hold a story and a question; what turns to the question.
RUN_ON = 30
_TURN = re.compile(r"听说|想问|请问|问一?下|我想知道|县里|政府")
_TAG_CHARS = frozenset("晓得知道懂明白清楚是对行中好可以成能不吗没么嘛呢吧啊呀有侬伐你")
_REQUEST = re.compile(r"想找|想学|想干|想自己|想打|哪里能|在哪能|去哪学|哪能学|能干点|找点|找个|怎么办|咋办"
                      r"|被拖|拖了|不给|没拿到|不管")
_ANSWER_KINDS = (
    ("who", re.compile(r"找谁|找哪个|哪个部门|哪个单位|哪些部门|哪些单位|[什啥]么?部门|[什啥]么?单位"
                       r"|谁管|谁负责|归谁|归哪|谁牵头|谁来管")),
    ("place", re.compile(r"在哪|哪里|什么地方|啥地方|哪儿|去哪")),
    # "能。" only where a person asks whether they may do something; asked with a complaint in it
    # ("老板不给交社保中不中") a plain "能" would mislead.
    ("can", re.compile(r"^(?!.*(不给|不交|不发|欠|拖|不管)).*(还|能不能|可不可以|能|可以)"
                       r"(参加|去|找|干|上|报名|学|贷|借|享受|买|拿|领|进)")),
    ("yes", re.compile(r"有没有|有.{0,16}(吗|不|没|么)$")),
)
# "我在马金开了个小饭店…": the asker's own town is the story, not a share of the county's figure asked.
_HOME = re.compile(r"(?:我|俺)家?(?:是|在|住在?)$")
_PLACE_SUFFIX = re.compile(r"[省市县区州镇乡]$")
_LANDFORM = re.compile(r"[山沟河田林坡岭湾坑岸溪谷地]")
_PARTICLES = frozenset("了过着的")
_PARTICLES_AFTER = frozenset("了过着")
# Emoji and other symbols carry no words; they are read as blanks.
_NOISE = re.compile(r"[^\w\s,.;:!?()%<>+\-、“”《》〔〕]")
# Verbs name an act but are often mere phrasing; an unknown word that names neither a thing nor
# an act (a number, a time, an adverb, an adjective) is taken as phrasing.
_ACT_FLAGS = frozenset({"v", "vd"})


@dataclass(frozen=True)
class Unit:
    """One thing the question is about, and the words that count as the document saying it."""

    text: str
    alternatives: tuple[str, ...]
    generic: bool = False  # too vague to show what is asked (就业, 政策, single characters)
    kind: str = "thing"  # "thing", "act" (a verb) or "phrasing" (number, time, adverb, adjective)
    parts: tuple[str, ...] = ()  # shorter words inside it, for choosing sentences when it is not said whole
    outside: bool = False  # a topic the plan is known not to cover (养老金, 医保…): it must be said to answer
    guessed: bool = False  # the documents do not use the word; its alternatives are thesaurus synonyms
    foreign: bool = False  # the thing asked about, a noun the documents never use (`Scope`)


@dataclass
class Question:
    """A question as read: its content units, BM25 tokens and what kind of answer it wants."""

    raw: str
    text: str  # search form after typo repair
    asked: str = ""  # the clause that asks, without the story before it
    units: list[Unit] = field(default_factory=list)
    tokens: dict[str, float] = field(default_factory=dict)  # BM25 query: token → weight
    pairs: dict[str, float] = field(default_factory=dict)  # character pairs of the content → weight
    years: list[int] = field(default_factory=list)
    places: list[str] = field(default_factory=list)  # place names outside the county
    towns: list[str] = field(default_factory=list)  # the county's towns the asking clause names
    wants_number: bool = False
    unit_asked: str = ""  # "元", "人|名", "%"…: the unit of the figure asked for, "" when unsaid
    wants_date: bool = False
    wants_year: bool = False  # "哪年的目标": the year may sit anywhere in the sentence
    wants_day: bool = False  # "下一场几号办": a day of the month or week, which "每年" does not tell
    joined: bool = False  # asks about two things at once ("残疾人和移民")
    asks: str = ""  # what kind of answer is wanted: "who", "place", "yes" (有没有), "can" (能不能), ""
    money_words: tuple[str, ...] = ()  # the kinds of money asked about by name ("补贴", "工资")
    extreme: str = ""  # "最高档次交多少": the figure must be the highest (lowest…) one, said so
    personal: bool = False  # a figure for one person ("我能贷多少"), not a county target
    achieved: str = ""  # "done" asks a count already reached ("实际引进了多少"), "now" one reached this year
    request: bool = False  # really asks for help ("哪里能学手艺", "工钱被拖了"): a next step is due
    details: tuple[Detail, ...] = ()  # a fee, phone number, opening hours…: the answer must state them

    @property
    def personal_amount(self) -> bool:
        return self.wants_number and self.personal

    @cached_property
    def figure(self) -> re.Pattern[str]:
        """A figure of the kind asked: a number, followed by the asked unit when there is one
        (money in 万 or 亿 is written without its 元: "贷款2100万"), or the counted word before it."""
        if self.unit_asked == "元":
            return re.compile(r"\d[\d.]*(?:[万亿]|[千百]?元)")
        if not self.unit_asked:
            return re.compile(r"\d")
        # The plan also puts the counted word first: "年旅游人次达350万".
        return re.compile(rf"\d[\d.]*[万亿千百]?(?:{self.unit_asked})|(?:{self.unit_asked})次?(?:达到?|超过?)\d")

    @property
    def content(self) -> list[Unit]:
        return [u for u in self.units if not u.generic]


class QuestionReader:
    """Turns what a person typed into a `Question`; corpus_text is all the documents' text in search form."""

    def __init__(self, lexicon: Lexicon, speller: Speller, tokenizer: Tokenizer, corpus_text: str,
                 expander: Expander, issued: int | None = None):
        """issued: the year the plan was issued, which "今年", "去年" and "明年" count from."""
        self.issued = issued
        self.lexicon = lexicon
        self.expander = expander
        self.speller = speller
        self.tokenizer = tokenizer
        self.corpus_text = corpus_text
        known = lexicon.words | lexicon.synonym_words | lexicon.stopwords | lexicon.generic | _MONEY_WORDS
        self.scope = Scope(corpus_text, known)

    def read(self, raw: str) -> Question:
        # "2025年产值": the year is a word of its own, or jieba reads "年产值".
        said = _NOISE.sub(" ", arabize_counts(raw))
        repaired = self.speller.correct(said)
        text = _YEAR_GLUE.sub(r"\1 ", repaired)
        words = self.tokenizer.tagged(text, keep_all=True)
        plain = [w for w, _ in words]
        # "俺家有几亩茶园，县里对茶农有啥帮衬": the story's "几" asks nothing.
        asked = _YEAR_GLUE.sub(r"\1 ", _asked_part(repaired))
        counted = _BY_YEAR.sub("", _STORY_FEW.sub("", _KNOW_TAG.sub("", asked)))
        q = Question(raw=raw, text=text, asked=asked, wants_number=bool(_NUMBER_INTENT.search(counted)))
        spans = {2000 + int(n) for m in _SPOKEN_SPAN.finditer(raw) for n in re.findall(r"\d+", arabize(m.group(0)))}
        q.years = [y for y in _years(text) if y not in spans]
        if self.issued and not q.years:
            q.years = [self.issued + m for word, m in _RELATIVE_YEARS.items() if word in asked]
        asked_words = self.tokenizer.words(asked) if q.wants_number else []
        q.unit_asked = _unit_asked(asked_words) if q.wants_number else ""
        q.money_words = tuple(w for w in asked_words if w in _NAMED_MONEY)
        q.extreme = next((w for w in asked_words if w in _EXTREMES), "")
        q.wants_date = bool(_DATE_ASKED.search(text))
        q.wants_year = bool(_YEAR_ASKED.search(text))
        q.wants_day = bool(_DAY_ASKED.search(text))
        # As said: a repair may take a joining word apart ("还想在" read as "还现在").
        q.joined = bool(_JOINED.search(said) or _JOINED.search(text))
        q.asks = _answer_kind(text)
        # "我家祖祖辈辈种茶，…能带动多少人干活": a count of people, asked after the story, is the county's.
        # "俺儿子残疾，残疾人之家要建多少家": a count of places, fairs, posts or a share is the county's
        # however much of the asker's story the clause holds.
        q.personal = _personal(asked) and q.unit_asked not in _COUNTY_UNITS \
            and not _COUNTED_THINGS.search(asked)
        if q.wants_number and _ACHIEVED.search(asked):
            q.achieved = "now" if _NOW.search(asked) else "done"
        q.request = bool(_REQUEST.search(text))
        q.details = asked_details(text, asked)
        in_concept = [False] * len(text)
        starts: dict[str, int] = {}  # where each unit's text is said (last)
        for start, end, concept in self.lexicon.concepts(text, _bounds(plain)):
            in_concept[start:end] = [True] * (end - start)
            q.units.append(self._concept_unit(concept))
            starts[concept.spoken] = start
            # The person's own word, when the documents use it too, outweighs what it stands for.
            literal = concept.spoken in self.corpus_text
            self._add_tokens(q, " ".join(concept.terms), EXPANSION_WEIGHT if literal else 1.0)
            self._add_tokens(q, concept.spoken, 1.0)
        # A place outside the county is what is asked about ("常山的补贴"), unless a phrase holds it
        # ("在宁波打工" says the person works away from home) or the story before the question names
        # it ("在杭州开厂的开化老板想回老家投资，县里给啥好处").
        # Where the person works or studies ("在县城饭店干了三个月", "在杭州读的大专") is their story:
        # neither a place nor a topic outside the plan that they ask about.
        where = [False] * len(text)
        for m in _WHERE.finditer(text):
            where[m.start() : m.end()] = [True] * (m.end() - m.start())
        named, at = [], 0
        for word, flag in words:
            at += len(word)
            # "长大了": a word jieba may take for a place is a verb when a particle follows it.
            if flag == "ns" and len(word) > 1 and not (in_concept[at - len(word)] or where[at - len(word)]) \
                    and text[at : at + 1] not in _PARTICLES_AFTER and not self._joins_before(text, at - len(word)) \
                    and word not in self.lexicon.stopwords and self._names_place(word):
                named.append(word)
        # a town of the county; a village is not asked about here as a town is ("我们下庄村有没有共富工坊"
        # asks of one village, which the plan does not name)
        local = {w for w in named
                 if (place := gazetteer().resolve(w)).town and (not place.village or gazetteer().towns_in(w))}
        q.places = [w for w in named if w not in local and w in asked]
        q.towns = [w for w in local if w in asked and not _HOME.search(asked[: asked.index(w)])]
        unread = [False] * len(text)  # characters of words that were read as nothing telling
        at = 0
        for word, flag in words:
            start, at = at, at + len(word)
            if in_concept[start] or not word.strip() or word in SKIP:
                continue
            self._add_tokens(q, word, 1.0)
            if word in self.lexicon.stopwords or _is_year(word, q.years) or _asks(word, self.corpus_text):
                continue
            if q.achieved and _ACHIEVED.fullmatch(word):  # "实际是多少": how it asks, not what about
                continue
            if word in local:  # a town of the county: the plan covers it, it is not what is asked
                continue
            kind = _kind(flag)
            generic = self._is_generic(word, kind)
            if word not in self.lexicon.generic and (len(word) == 1 or kind == "phrasing"):
                unread[start:at] = [True] * len(word)
            parts = tuple(t for t in self.tokenizer.search_tokens(word) if len(t) > 1 and t != word)
            outside = word in self.lexicon.outside and not where[start]
            # "厂子" is said "工厂" in the documents; verbs and adjectives have too loose synonyms.
            synonyms = self.expander.synonyms(word) if flag.startswith("n") and not outside else ()
            self._add_tokens(q, " ".join(synonyms), THESAURUS_WEIGHT)
            q.units.append(Unit(word, (word, *synonyms), generic=generic, kind=kind, parts=parts, outside=outside,
                                guessed=bool(synonyms)))
            if flag != "ns":  # a place (or a word jieba takes for one: "长大了") is never the thing asked
                starts[word] = start
        q.units += self._shared_phrases(text, unread)
        q.units = list({u.text: u for u in q.units}.values())
        # "娃中考没考好，县里技校咋样": a topic outside the plan told in the story is not what is asked,
        # unless the asking clause names nothing ("想考公务员，县里有什么政策").
        if any(u.text in asked for u in q.content):
            asking = _asking_clauses(repaired) or asked  # "医保能报几成" asks with "几" alone
            q.units = [replace(u, outside=False) if u.outside and u.text not in asking else u for u in q.units]
        q.units = self._foreign_thing(q.units, starts, text, text.rfind(asked))
        for u in q.content:
            for said in (u.text, *u.alternatives):
                for pair in char_pairs(said):
                    q.pairs[pair] = max(q.pairs.get(pair, 0.0), 1.0 if said == u.text else EXPANSION_WEIGHT)
        return q

    def _foreign_thing(self, units: list[Unit], starts: dict[str, int], text: str, asked_at: int) -> list[Unit]:
        """Units with the thing asked about marked foreign when the documents never name it: the
        last noun of the asking clause is what it asks about ("见习基地包不包住宿"), the words
        before it say whose or which ("残疾人三轮车", "手机能找临时工的活吗")."""
        # "种油菜有补贴吗": the kind of money asked names no thing; the noun before it does.
        things = [u for u in units if u.kind == "thing" and not u.generic and len(u.text) > 1
                  and u.text not in _MONEY_WORDS and starts.get(u.text, -1) >= asked_at >= 0]
        if not things:
            return units
        last = max(things, key=lambda u: starts[u.text])
        if last.outside or last.guessed or not self.scope.foreign(last.text, last.parts):
            return units
        if text.startswith("的", starts[last.text] + len(last.text)):  # "端盘子的人": it only says which
            return units
        if text[: starts[last.text]].endswith(("啥", "什么")):  # "叫啥名字": the question's own words
            return units
        return [replace(u, foreign=True) if u is last else u for u in units]

    def _joins_before(self, text: str, start: int) -> bool:
        """"来料加工费县里": the place's first character ends a word begun before it (加工费), so jieba's
        place (费县) is two words cut wrong."""
        return any(start >= k and self.tokenizer.knows(text[start - k : start + 1]) for k in (1, 2))

    def _names_place(self, word: str) -> bool:
        """Whether a word jieba tags as a place names one: "高山", "山沟沟" are the lie of the land, and
        "中风" an illness."""
        if word in self.lexicon.places or _PLACE_SUFFIX.search(word):
            return True
        return not _LANDFORM.search(word) and not names_no_place(word)

    def _shared_phrases(self, text: str, unread: list[bool]) -> list[Unit]:
        """Phrases of the documents quoted in the question that word cutting broke apart ("多缴多得").

        A phrase is kept when two or more of its characters were otherwise read as nothing telling
        (a single character, an unknown word of no known kind).
        """
        phrases: list[Unit] = []
        i = 0
        while i < len(text) - 1:
            j = i + 2
            while j <= len(text) and text[i:j] in self.corpus_text:
                j += 1
            if j > i + 2 and unread[i : j - 1].count(True) >= 2:
                phrases.append(Unit(text[i : j - 1], (text[i : j - 1],)))
                i = j - 1
            else:
                i += 1
        return phrases

    def _is_generic(self, word: str, kind: str) -> bool:
        """Listed generic words, small numbers and single characters other than things ("钱")
        say too little about what is asked."""
        if word in self.lexicon.generic or (_NUMBER.match(word) and len(word) < 3):
            return True
        return len(word) == 1 and kind != "thing"

    def _concept_unit(self, concept: Concept) -> Unit:
        generic = all(t in self.lexicon.generic for t in concept.terms)
        # A pattern may take in a topic the plan does not cover: "开抖音小店" is a shop on 抖音.
        outside = any(w in concept.spoken for w in self.lexicon.outside) \
            and concept.spoken not in self.lexicon.synonym_words
        return Unit(concept.spoken, (*concept.terms, concept.spoken), generic=generic, outside=outside)

    def _add_tokens(self, q: Question, text: str, weight: float) -> None:
        for token in self.tokenizer.search_tokens(text):
            if token not in self.lexicon.stopwords:
                q.tokens[token] = max(q.tokens.get(token, 0.0), weight)


_WISH = set("想要")


def _bounds(words: list[str]) -> set[int]:
    """Where words start and end, where a particle glued to a word's end starts ("摔断|了", "搬下来|的"):
    a spoken phrase may end there; and where the verb after a wish glued to it starts ("想|开个小饭店"):
    a phrase may start there."""
    bounds, at = word_bounds(words), 0
    for word in words:
        if len(word) > 1 and word[0] in _WISH:
            bounds.add(at + 1)
        at += len(word)
        if len(word) > 2 and word[-1] in _PARTICLES:
            bounds.add(at - 1)
    return bounds


def _asked_part(text: str) -> str:
    """The clause that asks, without the story before it or a courtesy after it: the last clause
    with a question word (else the last clause), with the clause before it when it is only a short
    tag ("晓得不", "行不行")."""
    clauses = [c for c in split_clauses(text) if not _courtesy(c)]
    if len(clauses) < 2:
        return _run_on(clauses[0]) if clauses else text
    asking = [i for i, c in enumerate(clauses) if _asks_in(c)]
    at = asking[-1] if asking else len(clauses) - 1
    last = clauses[at].strip()
    # "县里帮啥" and "能贷款吗" are short but ask; only a tag ("晓得不", "行不行") leans on the clause before.
    tag = at > 0 and len(last) <= SHORT_TAG and set(last) <= _TAG_CHARS
    return "".join(clauses[at - 1 : at + 1]) if tag else _run_on(clauses[at])


def _run_on(clause: str) -> str:
    """The part of a long clause, typed or spoken without a stop, from where its question starts: the
    last turn to the county or to asking that a question word follows ("…主打清水鱼听说县里搞钱江源味道的
    美食门店要建多少家" → "县里搞…要建多少家"); the story before it is the asker's."""
    if len(clause) < RUN_ON:
        return clause
    for turn in reversed(list(_TURN.finditer(clause))):
        if turn.start() > 0 and _asks_in(clause[turn.start():]):
            return clause[turn.start():]
    return clause


def _personal(asked: str) -> bool:
    """Whether the asking clause asks a figure for one person: it says so ("我", "每户", "能贷"), and
    the county is not named after that as the one the figure is for ("我在景区卖东西，县里旅游收入想搞到多少")."""
    if not _PERSONAL.search(asked):
        return False
    figure = [m.start() for m in _NUMBER_INTENT.finditer(asked)]
    before = asked[: figure[-1]] if figure else asked
    county = [m.start() for m in _COUNTY.finditer(before)]
    return not county or any(m.start() > county[-1] for m in _PERSONAL.finditer(before))


def _asks_in(clause: str) -> bool:
    """Whether a clause has a question word ("几" alone is no sure sign: "家里有几亩地" tells)."""
    return bool(ASKING.search(clause.strip().replace("几", "")))


def _asking_clauses(text: str) -> str:
    """Every clause that asks ("残疾证怎么办理？要去哪里体检？" asks twice), joined."""
    return " ".join(c for c in split_clauses(text) if _asks_in(c))


def split_clauses(text: str) -> list[str]:
    """The clauses of a message, split at punctuation and at blanks between clauses."""
    clauses = []
    for part in _PUNCTUATION.split(text):
        piece = ""
        for chunk in _BLANK.split(part.strip()):
            piece += chunk
            if len(chunk) > LONE_WORD:
                clauses.append(piece)
                piece = ""
        if piece.strip():
            clauses.append(piece)
    return clauses


# "刚才说的是2025年的 我问的是2023年…", "不是问补贴 是问贷款能贷多少": what is not asked, then what is
_NOT_THAT = re.compile(r"(?:不是问|不问(?!题)|没问(?!题)|刚才说的是|你说的是)[^，,。？?！!]*?(?:[，,。\s]+|的|了)"
                       r"(?:我|俺)?(?:想问的是|要问的是|问的是|是想问|是问|而是问?)")
# "2025年要建多少家 不是问2023年的", "我问的是2023年 不是2025年的": the same, said after it
_NOT_THAT_AFTER = re.compile(r"[，,。\s]*(?:(?:不是问|不问(?!题)|没问(?!题))[^，,。？?！!]*?[的啊呀]?[？?。！!]*$"
                             r"|(?<!是)不是\d{2,4}年的?)")


def meant(question: str) -> str:
    """The question without the part the asker says is not asked."""
    said = _NOT_THAT.sub(" ", question)
    rest = _NOT_THAT_AFTER.sub("", said)
    return rest.strip() if len(compact(rest)) >= MEANT_MIN else said.strip()


def _courtesy(clause: str) -> bool:
    return len(clause.strip()) <= COURTESY_CLAUSE and bool(_COURTESY.match(clause.strip()))


def _answer_kind(text: str) -> str:
    """The kind of answer a question wants besides a figure or a date: who, where, yes or can."""
    for kind, pattern in _ANSWER_KINDS:
        if pattern.search(text):
            return kind
    return ""


def _asks(word: str, corpus_text: str) -> bool:
    """A question phrase jieba keeps whole ("哪些地方", "干什么", "多少岁"): it asks, it names nothing."""
    return len(word) > 1 and bool(_QUESTION_MORPHEME.search(word)) and word not in corpus_text


def _unit_asked(words: list[str]) -> str:
    """The unit of the figure a "how many" question asks for, "" when it does not say."""
    if _PRICE.search("".join(words)):  # a price ("多少钱一斤", "一台多少钱") is not any figure of the plan
        return "斤"
    if any(w in _DURATION for w in words) or _SPAN.search("".join(words)):  # "要多久", "能干几年": a time span
        return _SPAN_UNIT
    if any(w in _CLOCK for w in words):
        return "点|时"
    for i, word in enumerate(words):
        if word in ("多少", "几") and i + 1 < len(words) and words[i + 1] in _COUNTED_UNIT:
            return _COUNTED_UNIT[words[i + 1]]
        if word in ("多少个", "几个") and i + 1 < len(words) and words[i + 1] == "岗位":  # "多少个岗位"
            return _COUNTED_UNIT["岗位"]
        for asking in ("多少个", "几个", "多少", "几"):  # "几人", "多少家", "几个人" cut as one word
            if word.startswith(asking) and word[len(asking):] in _COUNTED_UNIT:
                return _COUNTED_UNIT[word[len(asking):]]
        # "几个大学生" counts people; "几个大学生的项目" counts projects.
        if word in ("多少", "几个") and i + 1 < len(words) and len(words[i + 1]) > 1 \
                and _PEOPLE_NOUN.search(words[i + 1]) and words[i + 2 : i + 3] != ["的"]:
            return _COUNTED_UNIT["人"]
    if any(w in _SHARE_WORDS or (len(w) > 1 and w.endswith("率")) for w in words):
        return "%"
    paying = any(w in _PAYING and words[i + 1 : i + 2] == ["多少"] for i, w in enumerate(words))
    return "元" if paying or any(w in _MONEY_WORDS or (len(w) > 1 and w.endswith("费")) for w in words) else ""


def _kind(flag: str) -> str:
    return "thing" if flag in THING_FLAGS else "act" if flag in _ACT_FLAGS else "phrasing"


def _years(text: str) -> list[int]:
    years = [int(m.group(1)) for m in _YEAR4.finditer(text)]
    years += [2000 + int(m.group(1)) for m in _YEAR2.finditer(text)]
    return list(dict.fromkeys(years))


def _is_year(word: str, years: list[int]) -> bool:
    return bool(_NUMBER.match(word)) and (int(float(word)) in years or int(float(word)) + 2000 in years)
