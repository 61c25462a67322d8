"""Registration (登记) as a flow: town, village, age, skills, free time, travel range, push
choices, then a summary to confirm. The same steps serve 修改 for one answer."""

from __future__ import annotations

import re
from typing import Any

from bot.messages import Reply
from bot.router import Ctx, Router
from handlers import contact, silver
from knowledge import taxonomy
from knowledge.text import arabize, choice_numbers, compact, integers
from storage.models import Worker

router = Router("registration")
flow = router.flow("registration", title="登记")

MIN_AGE, MAX_AGE = 16, 90
PROFILE_FIELDS = ("town", "village", "age", "birth_year", "skills", "availability", "travel_range",
                  "want_job_push", "want_fair_push", "name", "phone")
EDITABLE = (  # (label shown in 修改, the step that asks it; 称呼 and 电话 are asked by handlers.contact)
    ("乡镇", "town"), ("村/社区", "village"), ("年龄", "age"), ("会做的活", "skills"),
    ("空闲时间", "availability"), ("能去多远", "travel"), ("岗位推送", "job_push"), ("招聘会提醒", "fair_push"),
    ("称呼", "name"), ("电话", "phone"),
)
_YEAR = re.compile(r"\d{2,4}\s*年")
_NO = re.compile(r"^(不要|不用|不需要|不想|不了|否|别|不|no|n)")
_YES = re.compile(r"^(要|需要|好|好的|可以|行|是|想|嗯|yes|y|ok)")


def describe(fields: dict[str, Any]) -> str:
    """A person's answers as short lines an elderly reader can check at a glance."""
    yes_no = {True: "要", False: "不要", None: "未填"}
    place = (fields.get("town") or "未填") + (f" {fields['village']}" if fields.get("village") else "")
    age = f"{fields['age']}岁" if fields.get("age") else "未填"
    return "\n".join([
        f"乡镇村：{place}",
        f"年龄：{age}",
        f"会做的活：{taxonomy.skills().labels_of(fields.get('skills') or [])}",
        f"空闲时间：{taxonomy.availability().labels_of(fields.get('availability') or [])}",
        f"能去多远：{taxonomy.travel_ranges().label(fields.get('travel_range') or '') or '未填'}",
        f"岗位推送：{yes_no[fields.get('want_job_push')]}",
        f"招聘会提醒：{yes_no[fields.get('want_fair_push')]}",
        *contact.describe(fields),
    ])


def profile_fields(worker: Worker) -> dict[str, Any]:
    return {name: getattr(worker, name) for name in PROFILE_FIELDS}


@router.command("登记", "注册", "我要登记", "我要注册", "我要找活", "找活", "找活干", "报名零工", "零工登记", "登记找活",
                menu=(10, "登记找活"))
def start(ctx: Ctx) -> Reply:
    if ctx.worker is not None:
        return ctx.start(flow.name, "confirm", profile_fields(ctx.worker), "您已经登记过了，这是您的信息：")
    return ctx.start(flow.name, "town", None, "好的，我们开始登记，一共几个小问题。随时回复“取消”可以退出。")


def edit(ctx: Ctx, *lead: str) -> Reply:
    """Change one answer of a registered person: the registration steps, prefilled."""
    assert ctx.worker is not None
    return ctx.start(flow.name, "edit_pick", profile_fields(ctx.worker), *lead)


# --- 1. town and village ----------------------------------------------------------------------
def _ask_town(ctx: Ctx) -> Reply:
    return Reply.of("您住在哪个乡镇（街道）？\n直接打字，比如：华埠、马金。")


@flow.step("town", ask=_ask_town, accepts_location=True)
def town(ctx: Ctx) -> Reply:
    places = ctx.services.places
    if ctx.update.latitude is not None and ctx.update.longitude is not None:
        nearest, km = places.nearest(ctx.update.latitude, ctx.update.longitude)
        if km > 40:
            return Reply.of("这个位置不在开化县，请打字告诉我您住哪个乡镇。") + _ask_town(ctx)
        return _set_town(ctx, nearest.name, None)
    guess = places.resolve(ctx.text)
    if guess.town:
        return _set_town(ctx, guess.town, guess.village)
    ctx.data["town_choices"] = list(guess.candidates) or places.names
    lead = "您说的是下面哪一个？" if guess.candidates else "没找到这个乡镇，请从下面选一个："
    return ctx.goto("town_pick", lead)


def _ask_town_pick(ctx: Ctx) -> Reply:
    choices = ctx.data.get("town_choices") or ctx.services.places.names
    extra = ["都不是"] if len(choices) < len(ctx.services.places.names) else []
    return Reply.of("请回复编号。", choices=[*choices, *extra])


@flow.step("town_pick", ask=_ask_town_pick)
def town_pick(ctx: Ctx) -> Reply:
    choices: list[str] = ctx.data.get("town_choices") or ctx.services.places.names
    all_towns = ctx.services.places.names
    picked = choice_numbers(ctx.text, len(choices) + (len(choices) < len(all_towns)))
    if (picked and picked[0] == len(choices) + 1) or compact(ctx.text) == "都不是":
        ctx.data["town_choices"] = all_towns
        return Reply.of("这是开化县全部乡镇：") + _ask_town_pick(ctx)
    if picked:
        return _set_town(ctx, choices[picked[0] - 1], None)
    guess = ctx.services.places.resolve(ctx.text)
    if guess.town:
        return _set_town(ctx, guess.town, guess.village)
    return Reply.of("请回复前面的编号，比如 1。") + _ask_town_pick(ctx)


def _set_town(ctx: Ctx, town_name: str, village: str | None) -> Reply:
    ctx.data.pop("town_choices", None)
    ctx.data["town"] = town_name
    if village:
        ctx.data["village"] = village
        return ctx.next("age", f"好的，{town_name}{village}。")
    if ctx.data.get("return_to"):
        ctx.data["village"] = None  # a new town makes the old village wrong: ask it again
        return ctx.goto("village", f"好的，{town_name}。")
    return ctx.next("village", f"好的，{town_name}。")


def _ask_village(ctx: Ctx) -> Reply:
    return Reply.of("您是哪个村（社区）的？\n不想说可以回复“跳过”。")


@flow.step("village", ask=_ask_village)
def village(ctx: Ctx) -> Reply:
    text = ctx.text.strip()
    key = compact(text)
    if key in ("跳过", "不知道", "不说", "没有"):
        ctx.data["village"] = None
        return ctx.next("age")
    if not key or key.isdigit() or len(key) > 20:
        return Reply.of("村名好像不对，请打村或社区的名字，比如：金星村。") + _ask_village(ctx)
    ctx.data["village"] = key
    return ctx.next("age")


# --- 2. age -----------------------------------------------------------------------------------
def _ask_age(ctx: Ctx) -> Reply:
    return Reply.of("您今年多大岁数？\n回复数字就行，比如：58。")


def parse_age(text: str, this_year: int) -> tuple[int, int | None] | None:
    """(age, birth year if given) from "62", "六十二", "62岁", "1961年生的", "61年的"."""
    numbers = integers(text)
    if len(numbers) != 1:
        return None
    value = numbers[0]
    if _YEAR.search(arabize(text)) or value >= 1900:
        year = value + 1900 if value < 100 else value
        if not 1900 <= year <= this_year:
            return None
        return this_year - year, year
    return value, None


@flow.step("age", ask=_ask_age)
def age(ctx: Ctx) -> Reply:
    this_year = ctx.services.local_now().year
    parsed = parse_age(ctx.text, this_year)
    if parsed is None:
        return Reply.of("没看懂这个岁数。") + _ask_age(ctx)
    years, birth_year = parsed
    if not MIN_AGE <= years <= MAX_AGE:
        return Reply.of(f"{years}岁好像不太对，请再确认一下。") + _ask_age(ctx)
    ctx.data["age"], ctx.data["birth_year"] = years, birth_year or this_year - years
    return ctx.next("skills")


# --- 3. skills, 4. availability and travel range ----------------------------------------------
def _ask_skills(ctx: Ctx) -> Reply:
    return Reply.of("您会做哪些活？可以选几个，比如回复：1 3\n也可以直接打字，比如：摘茶叶、做饭。",
                    choices=taxonomy.skills().labels)


@flow.step("skills", ask=_ask_skills)
def skills(ctx: Ctx) -> Reply:
    codes = taxonomy.skills().parse(ctx.text)
    if not codes:
        return Reply.of("没对上这个活儿，请回复编号，可以选几个。") + _ask_skills(ctx)
    ctx.data["skills"] = codes
    return ctx.next("availability", f"记下了：{taxonomy.skills().labels_of(codes)}。")


def _ask_availability(ctx: Ctx) -> Reply:
    return Reply.of("您什么时候有空干活？可以选几个。", choices=taxonomy.availability().labels)


@flow.step("availability", ask=_ask_availability)
def availability(ctx: Ctx) -> Reply:
    codes = taxonomy.availability().parse(ctx.text)
    if not codes:
        return Reply.of("请回复编号，比如 1。") + _ask_availability(ctx)
    ctx.data["availability"] = codes
    return ctx.next("travel")


def _ask_travel(ctx: Ctx) -> Reply:
    return Reply.of("您愿意去多远的地方干活？", choices=taxonomy.travel_ranges().labels)


@flow.step("travel", ask=_ask_travel)
def travel(ctx: Ctx) -> Reply:
    codes = taxonomy.travel_ranges().parse(ctx.text)
    if not codes or len(codes) != 1:
        return Reply.of("请只选一个，回复编号。") + _ask_travel(ctx)
    ctx.data["travel_range"] = codes[0]
    return ctx.next("job_push")


# --- 5. push preferences ----------------------------------------------------------------------
def yes_no(text: str) -> bool | None:
    key = compact(text)
    if key in ("1", "2"):
        return key == "1"
    if _NO.match(key):
        return False
    if _YES.match(key):
        return True
    return None


def _yes_no_step(step: str, field: str, question: str, next_step: str) -> None:
    def ask(ctx: Ctx) -> Reply:
        return Reply.of(question, choices=["要", "不要"])

    @flow.step(step, ask=ask)
    def answer(ctx: Ctx) -> Reply:
        value = yes_no(ctx.text)
        if value is None:
            return Reply.of("请回复 1 或 2。") + ask(ctx)
        ctx.data[field] = value
        return ctx.next(next_step)


_yes_no_step("job_push", "want_job_push", "有合适的活时，要不要发消息告诉您？", "fair_push")
_yes_no_step("fair_push", "want_fair_push", "每月8日、18日有招聘会，要不要提前提醒您？", "confirm")


# --- 6. summary, confirm or change one answer -------------------------------------------------
def _ask_confirm(ctx: Ctx) -> Reply:
    return Reply.of(f"请核对您的信息：\n{describe(ctx.data)}", choices=["确认", "修改"])


@flow.step("confirm", ask=_ask_confirm)
def confirm(ctx: Ctx) -> Reply:
    key = compact(ctx.text)
    if key in ("1", "确认", "对", "对的", "没错", "好", "好的", "是") or key.startswith("确认"):
        first_time = ctx.worker is None
        fields = {name: ctx.data.get(name) for name in PROFILE_FIELDS}
        if first_time:
            fields["subscribed"] = True
        ctx.save_worker(fields)
        ctx.finish()
        if first_time:
            return contact.ask_after_registration(ctx, Reply.of(
                "登记好了，谢谢您！有合适的活，我们会第一时间告诉您。", "想看看现在有什么活，回复“菜单”。",
                silver.invitation(fields["age"])))
        return Reply.of("已保存修改。回复“我的信息”可以再看看。")
    if key in ("2", "修改", "改", "不对", "错了") or key.startswith("修改"):
        return ctx.goto("edit_pick")
    return Reply.of("请回复 1 确认，或回复 2 修改。") + _ask_confirm(ctx)


def _ask_edit_pick(ctx: Ctx) -> Reply:
    return Reply.of("您要改哪一项？", choices=[label for label, _ in EDITABLE])


@flow.step("edit_pick", ask=_ask_edit_pick)
def edit_pick(ctx: Ctx) -> Reply:
    picked = choice_numbers(ctx.text, len(EDITABLE))
    step = EDITABLE[picked[0] - 1][1] if picked else next(
        (s for label, s in EDITABLE if compact(label) in compact(ctx.text)), None)
    if step is None:
        return Reply.of("请回复编号，比如 1。") + _ask_edit_pick(ctx)
    if step in contact.STEPS:
        return contact.edit(ctx, step)
    ctx.data["return_to"] = "confirm"
    return ctx.goto(step)
