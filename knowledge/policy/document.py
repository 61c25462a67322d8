"""Parsing a county policy document (plain text) into titled passages and an indicator table.

The shape it reads is the usual one of a 县政府 实施方案: a 《title》 line, a preamble,
top sections "一、", subsections "(一)", numbered measures "1." ending with
"(责任单位:…)", and optionally a table printed one cell per line under a "指标名称" header.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

_NUMBER = re.compile(r"文号[:：]\s*(\S+?号)")
_SECTION = re.compile(r"^([一二三四五六七八九十]+)、\s*(.+)$")
_SUBSECTION = re.compile(r"^\(([一二三四五六七八九十]+)\)\s*(.+)$")
_MEASURE = re.compile(r"^(\d{1,3})[.、](?!\d)\s*(\S.*)$")
_DEPARTMENTS = re.compile(r"\(责任单位[:：]?(.+?)\)\s*$")
_NOT_A_DEPARTMENT = re.compile(r"排名|牵头|下同")
_SENTENCE_END = re.compile(r"(?<=[。;!?])")
_NOTICE_TITLE = re.compile(r"印发《(.+?)》")
_HEADER_YEAR = re.compile(r"^(\d{4})年\s*(.*)$")
_UNIT_SUFFIX = re.compile(r"^(.+?)\(([^()]+)\)$")
_CUMULATIVE = re.compile(r"^〔(.*)〕$")
_DATE_LINE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$|^\d{4}-\d{2}-\d{2}")
_CELL_SPLIT = re.compile(r"\t|\s{2,}|\|")

TABLE_HEADER = "指标名称"


@dataclass(frozen=True)
class Passage:
    """One citable unit: a measure, or a subsection of goals or safeguards."""

    ref: str  # "二、(四) 13", "一、(三)", "三、(二)"; "" for the preamble
    title: str
    sentences: tuple[str, ...]
    departments: tuple[str, ...] = ()  # lead department first
    section: str = ""  # "二、主要举措"
    group: str = ""  # "(四)实施重点群体帮就业行动"
    measure: int | None = None

    @property
    def text(self) -> str:
        return "".join(self.sentences)


@dataclass(frozen=True)
class Figure:
    """One cell of the indicator table."""

    year: int
    label: str  # "完成情况" or "目标"
    text: str  # as printed without the 〔〕: "6150", "<5", "/"
    value: float | None  # None for "/" and for bounds such as "<5"
    cumulative: bool = False


@dataclass(frozen=True)
class Indicator:
    """One row of the indicator table."""

    name: str  # "城镇新增就业人数"
    unit: str  # "人", "万元", "%", "" when the name carries none
    figures: tuple[Figure, ...]

    def figure(self, year: int) -> Figure | None:
        return next((f for f in self.figures if f.year == year), None)


@dataclass(frozen=True)
class IndicatorTable:
    ref: str  # where it sits, "一、(四)"
    section_title: str  # the subsection it sits in, "指标体系"
    caption: str
    indicators: tuple[Indicator, ...]
    note: str = ""


@dataclass
class PolicyDocument:
    title: str
    passages: list[Passage] = field(default_factory=list)
    tables: list[IndicatorTable] = field(default_factory=list)
    source: str = ""
    number: str = ""  # the 文号, "开政办发〔2023〕36号", when the text gives one

    @property
    def cited_as(self) -> str:
        """How an answer names the document: its 文号, short, or else its title."""
        return self.number or f"《{self.title}》"

    @property
    def measures(self) -> list[Passage]:
        return [p for p in self.passages if p.measure is not None]


def read_text(path: Path) -> str:
    """The file's text; county documents come in UTF-8 or GB18030."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(f"无法读取文件编码(不是 UTF-8 或 GB18030): {path}")


def load_document(path: Path) -> PolicyDocument:
    return parse_document(read_text(path), source=path.name)


def parse_document(text: str, source: str = "") -> PolicyDocument:
    """Parse the plain text of a policy document; raises ValueError when no title can be found."""
    lines = [unicodedata.normalize("NFKC", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    body_start = next((i for i, line in enumerate(lines) if _SECTION.match(line)), len(lines))
    title_at = _title_line(lines, body_start)
    title = _title(lines, title_at)
    if not title:
        raise ValueError("找不到文件标题(《…》或正文前的标题行) / no document title found")
    number = next((m.group(1) for line in lines[:body_start] if (m := _NUMBER.search(line))), "")
    document = PolicyDocument(title=title, source=source, number=number)
    preamble = lines[title_at + 1 : body_start] if title_at is not None else []
    preamble = [line for line in preamble if line.endswith("。")]
    if preamble:
        document.passages.append(Passage(ref="", title="前言", sentences=_sentences(" ".join(preamble))))
    _Walker(document).walk(lines[body_start:])
    return document


def _title_line(lines: list[str], body_start: int) -> int | None:
    """Index of the title line right before the body: the last short line not ending a sentence."""
    for i in range(body_start - 1, -1, -1):
        line = lines[i]
        ends_sentence = line.endswith(("。", ":"))
        if len(line) <= 80 and not ends_sentence and not _DATE_LINE.match(line) and not line.startswith("("):
            return i
    return None


def _title(lines: list[str], title_at: int | None) -> str:
    for line in lines[: title_at if title_at is not None else len(lines)]:
        if m := _NOTICE_TITLE.search(line):
            return m.group(1)
    return lines[title_at].strip("《》") if title_at is not None else ""


def _sentences(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in _SENTENCE_END.split(text) if s.strip())


def _split_title(text: str) -> tuple[str, str]:
    """ "加大创业扶持力度。持续举办…" → ("加大创业扶持力度", "持续举办…")."""
    head, dot, rest = text.partition("。")
    return (head, rest) if dot else (text, "")


def _departments(text: str) -> tuple[str, tuple[str, ...]]:
    """Cut the trailing "(责任单位:甲、乙)" off a measure; the lead department comes first."""
    m = _DEPARTMENTS.search(text)
    if not m:
        return text, ()
    names = [n.strip() for n in re.split(r"[、,,;;]", m.group(1))]
    return text[: m.start()].rstrip(), tuple(n for n in names if n and not _NOT_A_DEPARTMENT.search(n))


class _Walker:
    """Walks the body lines once, keeping track of the section and subsection it is in."""

    def __init__(self, document: PolicyDocument):
        self.document = document
        self.section = ("", "")  # numeral, title
        self.subsection = ("", "")
        self.paragraphs: list[str] = []

    def ref(self) -> str:
        sub = f"({self.subsection[0]})" if self.subsection[0] else ""
        return f"{self.section[0]}、{sub}" if self.section[0] else sub

    def section_name(self) -> str:
        return f"{self.section[0]}、{self.section[1]}"

    def walk(self, lines: list[str]) -> None:
        i = 0
        while i < len(lines):
            line = lines[i]
            if m := _SECTION.match(line):
                self.flush()
                self.section, self.subsection = (m.group(1), m.group(2)), ("", "")
            elif m := _SUBSECTION.match(line):
                self.flush()
                head, rest = _split_title(m.group(2))
                self.subsection = (m.group(1), head)
                if rest:  # "(一)加强组织领导。强化政府引导…": title and text on one line
                    self.paragraphs.append(rest)
                    self.flush()
            elif m := _MEASURE.match(line):
                self.flush()
                self.add_measure(int(m.group(1)), m.group(2))
            elif line.startswith(TABLE_HEADER):
                caption = self.paragraphs.pop() if self.paragraphs and not self.paragraphs[-1].endswith("。") else ""
                i = self.read_table(lines, i, caption)
                continue
            else:
                self.paragraphs.append(line)
            i += 1
        self.flush()

    def flush(self) -> None:
        """Close the running subsection text as one passage."""
        if self.paragraphs:
            sentences = tuple(s for p in self.paragraphs for s in _sentences(p))
            title = self.subsection[1] or self.section[1]
            self.document.passages.append(
                Passage(ref=self.ref(), title=title, sentences=sentences, section=self.section_name())
            )
        self.paragraphs = []

    def add_measure(self, number: int, text: str) -> None:
        title, rest = _split_title(text)
        rest, departments = _departments(rest)
        title, departments = (title, departments) if rest or departments else _departments(title)
        group = f"({self.subsection[0]}){self.subsection[1]}" if self.subsection[0] else ""
        self.document.passages.append(
            Passage(
                ref=f"{self.ref()} {number}".strip(),
                title=title,
                sentences=_sentences(rest),
                departments=departments,
                section=self.section_name(),
                group=group,
                measure=number,
            )
        )

    def read_table(self, lines: list[str], start: int, caption: str) -> int:
        """Read the table starting at the header line; returns the index of the first line after it."""
        header_cells = [c for c in _CELL_SPLIT.split(lines[start]) if c.strip()]
        row_wise = len(header_cells) > 1
        columns: list[tuple[int, str]] = []
        i = start + 1
        for cell in header_cells[1:]:
            if m := _HEADER_YEAR.match(cell.strip()):
                columns.append((int(m.group(1)), m.group(2)))
        while not row_wise and i < len(lines) and (m := _HEADER_YEAR.match(lines[i])):
            columns.append((int(m.group(1)), m.group(2)))
            i += 1
        indicators: list[Indicator] = []
        note = ""
        while i < len(lines) and columns:
            line = lines[i]
            if line.startswith("注"):
                note = line
                i += 1
                break
            if _SECTION.match(line) or _SUBSECTION.match(line) or _MEASURE.match(line):
                break
            if row_wise:
                cells = [c.strip() for c in _CELL_SPLIT.split(line) if c.strip()]
                name, values, i = cells[0], cells[1:], i + 1
            else:
                name, values, i = line, lines[i + 1 : i + 1 + len(columns)], i + 1 + len(columns)
            if len(values) != len(columns):
                break
            indicators.append(_indicator(name, values, columns))
        if indicators:
            self.document.tables.append(
                IndicatorTable(
                    ref=self.ref(),
                    section_title=self.subsection[1] or self.section[1],
                    caption=caption,
                    indicators=tuple(indicators),
                    note=note,
                )
            )
        return i


def _indicator(name: str, cells: list[str], columns: list[tuple[int, str]]) -> Indicator:
    unit = ""
    if m := _UNIT_SUFFIX.match(name):
        name, unit = m.group(1), m.group(2)
    figures = []
    for (year, label), cell in zip(columns, cells, strict=False):
        cumulative = bool(m := _CUMULATIVE.match(cell))
        text = m.group(1).strip() if m else cell.strip()
        try:
            value = float(text)
        except ValueError:
            value = None
        figures.append(Figure(year=year, label=label, text=text, value=value, cumulative=cumulative))
    return Indicator(name=name, unit=unit, figures=tuple(figures))
