"""Telegram ↔ Update/Reply translation, without network: what each kind of message becomes,
how replies and their choices are rendered, and that a tapped button is understood."""

from __future__ import annotations

from typing import Any

import telegram
from conftest import ChatHarness
from fakes.telegram_api import message_update

from bot.channels.telegram.translate import CHOOSE, MAX_TEXT, render, split_text, to_update
from bot.messages import Kind, Reply


def tg(update_id: int = 10, chat_id: int = 555, **fields: Any) -> telegram.Update:
    return telegram.Update.de_json(message_update(update_id, chat_id, **fields), None)


def test_a_private_text_message() -> None:
    update = to_update(tg(42, 555, text="我要登记"))
    assert update is not None
    assert (update.channel, update.user_id, update.kind, update.text, update.dedup_key) == (
        "telegram", "555", Kind.TEXT, "我要登记", "42")
    assert update.received_at.tzinfo is not None


def test_commands_lose_the_bot_name_and_payload() -> None:
    for text, expected in [("/start", "/start"), ("/start@kaihua_jobbot", "/start"), ("/start link-123", "/start"),
                           ("/STOP", "/stop"), ("/help", "/help")]:
        update = to_update(tg(text=text))
        assert update is not None and update.text == expected


def test_text_passes_through_unchanged() -> None:
    for text in ("1 确认", "12 大溪边乡", "1 3", "3", "绑定 123456", "2 个人能报名吗"):
        update = to_update(tg(text=text))
        assert update is not None and update.text == text, text


def test_location_voice_and_media() -> None:
    located = to_update(tg(location={"latitude": 29.05, "longitude": 118.39}))
    assert located is not None and located.kind == Kind.LOCATION
    assert (located.latitude, located.longitude) == (29.05, 118.39)
    venue = to_update(tg(location={"latitude": 29.1, "longitude": 118.4},
                         venue={"location": {"latitude": 29.1, "longitude": 118.4}, "title": "市场",
                                "address": "华埠"}))
    assert venue is not None and venue.kind == Kind.LOCATION
    voice = to_update(tg(voice={"file_id": "v", "file_unique_id": "v1", "duration": 2}))
    assert voice is not None and voice.kind == Kind.VOICE and voice.text == ""
    photo = to_update(tg(photo=[{"file_id": "p", "file_unique_id": "p1", "width": 9, "height": 9}], caption="看看"))
    assert photo is not None and photo.kind == Kind.MEDIA
    sticker = to_update(tg(sticker={"file_id": "s", "file_unique_id": "s1", "type": "regular", "width": 1,
                                    "height": 1, "is_animated": False, "is_video": False}))
    assert sticker is not None and sticker.kind == Kind.MEDIA


def test_what_we_do_not_answer() -> None:
    assert to_update(tg(text="登记", chat_type="group")) is None
    assert to_update(tg(text="登记", chat_type="channel")) is None
    edited = telegram.Update.de_json({"update_id": 1, "edited_message": message_update(1, 5, text="x")["message"]},
                                     None)
    assert to_update(edited) is None
    joined = tg(new_chat_title="新群名")
    assert to_update(joined) is None


def test_render_puts_choices_on_a_keyboard_under_the_last_message() -> None:
    first, last = render(Reply.of("好的。", "您愿意去多远的地方干活？", choices=["只在本村", "本乡镇", "全县都行"]))
    assert first.markup is None and first.text == "好的。"
    assert last.text == "您愿意去多远的地方干活？"  # no "回复 1 …" lines: the buttons carry them
    assert isinstance(last.markup, telegram.ReplyKeyboardMarkup)
    assert [[b.text for b in row] for row in last.markup.keyboard] == [["1 只在本村"], ["2 本乡镇"], ["3 全县都行"]]
    assert last.markup.resize_keyboard


def test_many_choices_go_two_to_a_row_and_no_choices_remove_the_keyboard() -> None:
    (only,) = render(Reply.of("选乡镇", choices=[f"镇{i}" for i in range(15)]))
    assert isinstance(only.markup, telegram.ReplyKeyboardMarkup)
    assert [len(row) for row in only.markup.keyboard] == [2] * 7 + [1]
    (plain,) = render(Reply.of("登记好了"))
    assert isinstance(plain.markup, telegram.ReplyKeyboardRemove)
    (bare,) = render(Reply.of(choices=["要", "不要"]))
    assert bare.text == CHOOSE
    assert render(Reply()) == []


def test_long_texts_are_split_within_telegram_limit() -> None:
    text = "\n".join(f"第{i}行：" + "政策内容" * 30 for i in range(100))
    parts = split_text(text)
    assert len(parts) > 1 and all(len(p) <= MAX_TEXT for p in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")
    assert split_text("x" * (MAX_TEXT * 2 + 5)) == ["x" * MAX_TEXT, "x" * MAX_TEXT, "x" * 5]


def test_a_tapped_button_is_understood_by_the_flows(sqlite_chat: ChatHarness) -> None:
    """A button sends "1 确认" (number and label); the core reads it as choice 1."""
    for text in ("登记", "华埠", "跳过", "58", "1", "1", "2", "1"):
        sqlite_chat.say(text)
    assert "请核对" in sqlite_chat.say("1")
    assert "请回复 1 确认" in sqlite_chat.say("2 确认")  # a number that does not go with the label
    pressed = to_update(tg(text="1 确认"))
    assert pressed is not None
    assert "登记好了" in sqlite_chat.say(pressed.text)
