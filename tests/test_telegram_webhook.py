"""The Telegram channel end to end: updates POSTed over HTTP to /telegram as Telegram would,
the real server app (`create_app` under uvicorn), the real dispatcher and database, replies
checked at a fake Bot API server that PTB talks to over HTTP."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import telegram
from fakes.server import serving
from fakes.telegram_api import FakeTelegram, message_update
from fakes.telegram_chat import SECRET, TelegramChat, telegram_chat
from sqlmodel import Session, col, select

from bot.app import build_dispatcher
from bot.channels.telegram.application import ChatOrderedProcessor
from bot.channels.telegram.webhook import SECRET_HEADER
from bot.web import create_app
from knowledge import taxonomy
from storage.db import make_engine
from storage.models import ChatAccount, Worker

HUABU = (29.052, 118.391)  # a point in 华埠镇


@pytest.fixture
def api() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def tg(db_url: str, tmp_path: Path, api: FakeTelegram, clock: Any) -> Iterator[TelegramChat]:
    """A Telegram chat through the webhook, on SQLite and on PostgreSQL."""
    with telegram_chat(db_url, tmp_path, api, clock) as chat:
        yield chat


@pytest.fixture
def sqlite_tg(sqlite_url: str, tmp_path: Path, api: FakeTelegram, clock: Any) -> Iterator[TelegramChat]:
    with telegram_chat(sqlite_url, tmp_path, api, clock) as chat:
        yield chat


def test_registration_by_telegram_with_reply_keyboards(tg: TelegramChat) -> None:
    assert any("开始登记" in t for t in tg.send("登记"))
    assert any("村" in t for t in tg.send("华埠"))
    assert any("多大" in t for t in tg.send("金星村"))
    asked = tg.send("58")
    assert any("会做哪些活" in t for t in asked)
    assert tg.last_keyboard[0] == "1 采茶/茶叶加工" and len(tg.last_keyboard) == len(taxonomy.skills().labels)
    assert not any("回复 1" in t for t in asked)  # the choices are buttons, not lines of text
    tg.press("采茶/茶叶加工")
    assert "1 随时" in tg.last_keyboard
    tg.press("随时")
    tg.press("本乡镇")
    tg.press("要")
    summary = tg.press("不要")
    assert any("请核对" in t and "华埠镇 金星村" in t for t in summary)
    assert tg.last_keyboard == ["1 确认", "2 修改"]
    done = tg.press("确认")
    assert any("登记好了" in t for t in done)

    markup = tg.api.sent(tg.chat_id)[-1].params["reply_markup"]
    assert markup == {"remove_keyboard": True}
    with Session(tg.engine) as session:
        account = session.exec(select(ChatAccount).where(col(ChatAccount.channel) == "telegram")).one()
        assert account.user_id == str(tg.chat_id)
        worker = session.get(Worker, account.worker_id)
        assert worker is not None
        assert (worker.town, worker.village, worker.age) == ("华埠镇", "金星村", 58)
        assert worker.travel_range == "town" and worker.want_job_push and not worker.want_fair_push


def test_start_shows_the_menu_and_help_too(sqlite_tg: TelegramChat) -> None:
    texts = sqlite_tg.send("/start")
    assert texts and "想做什么" in texts[-1]
    assert "1 登记找活" in sqlite_tg.last_keyboard
    assert sqlite_tg.send("/start@kaihua_jobbot") == texts
    assert sqlite_tg.send("/help") == texts
    assert any("开始登记" in t for t in sqlite_tg.press("登记找活"))


def register(chat: TelegramChat) -> None:
    """The whole registration, answering by number."""
    for text in ("登记", "华埠", "跳过", "58", "1", "1", "2", "1", "1"):
        chat.send(text)
    assert any("登记好了" in t for t in chat.send("1"))


def test_a_server_without_wechat_starts_no_wechat_dispatch_process(sqlite_tg: TelegramChat) -> None:
    # /wechat refuses every message without JOBBOT_WECHAT_TOKEN: a child loading the knowledge base is waste.
    assert not [child for child in multiprocessing.active_children() if child.name == "jobbot-dispatch"]
    assert sqlite_tg.send("菜单")  # and the server answers


def test_stop_unsubscribes(tg: TelegramChat) -> None:
    register(tg)
    with Session(tg.engine) as session:
        assert session.exec(select(Worker)).one().subscribed
    assert any("已停止" in t for t in tg.send("/stop"))
    with Session(tg.engine) as session:
        assert not session.exec(select(Worker)).one().subscribed


def test_location_share_maps_to_the_nearest_town(sqlite_tg: TelegramChat) -> None:
    lat, lon = HUABU
    texts = sqlite_tg.send(location={"latitude": lat, "longitude": lon})
    assert any("华埠镇附近" in t for t in texts)
    sqlite_tg.send("登记")
    texts = sqlite_tg.send(location={"latitude": lat, "longitude": lon})
    assert any("华埠镇" in t for t in texts) and any("村" in t for t in texts)


def test_stickers_and_photos_get_a_polite_answer(sqlite_tg: TelegramChat) -> None:
    sticker = {"file_id": "s1", "file_unique_id": "u1", "type": "regular", "width": 512, "height": 512,
               "is_animated": False, "is_video": False}
    assert any("看不懂" in t for t in sqlite_tg.send(sticker=sticker))
    photo = [{"file_id": "p1", "file_unique_id": "u2", "width": 90, "height": 90}]
    assert any("看不懂" in t for t in sqlite_tg.send(photo=photo))


def test_a_duplicate_update_is_handled_once(tg: TelegramChat) -> None:
    first = tg.send("登记", update_id=900)
    assert first
    assert tg.send("登记", update_id=900) == []  # Telegram delivered it again: no second answer
    assert any("村" in t for t in tg.send("华埠", update_id=901))
    assert tg.send("华埠", update_id=901) == []
    assert any("多大" in t for t in tg.send("金星村"))  # the flow moved one step per update


def test_group_chats_and_edits_are_ignored(sqlite_tg: TelegramChat) -> None:
    response = sqlite_tg.post(message_update(77, -100123, text="登记", chat_type="group"))
    assert response.status_code == 200
    edited = {"update_id": 78, "edited_message": sqlite_tg.update(text="登记")["message"]}
    assert sqlite_tg.post(edited).status_code == 200
    assert sqlite_tg.api.sent() == []


def test_a_missing_or_wrong_secret_is_refused(sqlite_tg: TelegramChat) -> None:
    for secret in (None, "", "wrong-secret", SECRET + "x"):
        assert sqlite_tg.post(sqlite_tg.update(text="登记"), secret=secret).status_code == 403, secret
    assert sqlite_tg.api.sent() == []


MALFORMED = [b"{not json", b"", b"[]", b'"text"', b'{"message": {}}', b'{"update_id": "1"}', b'{"update_id": true}',
             b'{"update_id": 1, "message": "x"}', b'{"update_id": 1, "message": {"text": "a"}}',
             "\u767b".encode("utf-16"), b"\xff\xfe\xfa", b"[" * 100000]


def test_malformed_bodies_are_400(sqlite_tg: TelegramChat) -> None:
    for body in MALFORMED:
        assert sqlite_tg.post(None, raw=body).status_code == 400, body[:40]
    assert sqlite_tg.api.sent() == []


def test_a_location_of_nan_or_infinity_is_400(sqlite_tg: TelegramChat) -> None:
    for lat, lon in (("NaN", "118.4"), ("29.1", "Infinity"), ("-Infinity", "NaN")):
        update = json.dumps(sqlite_tg.update(location={"latitude": 1.5, "longitude": 2.5}))
        body = update.replace("1.5", lat).replace("2.5", lon).encode()
        assert sqlite_tg.post(None, raw=body).status_code == 400, (lat, lon)
    assert sqlite_tg.api.sent() == []


def test_an_oversized_body_is_413(sqlite_tg: TelegramChat) -> None:
    update = sqlite_tg.update(text="登记" * 10)
    update["padding"] = "x" * (1024 * 1024)
    assert sqlite_tg.post(None, raw=json.dumps(update).encode()).status_code == 413
    chunks = (b"x" * 65536 for _ in range(20))  # no Content-Length: read in chunks, cut off at 1 MB
    response = sqlite_tg.http.post("/telegram", content=chunks, headers={SECRET_HEADER: SECRET})
    assert response.status_code == 413
    assert sqlite_tg.api.sent() == []


def test_without_a_webhook_secret_everything_is_refused(sqlite_url: str, tmp_path: Path, api: FakeTelegram,
                                                        clock: Any, caplog: pytest.LogCaptureFixture) -> None:
    with telegram_chat(sqlite_url, tmp_path, api, clock, telegram_webhook_secret=None) as chat:
        assert chat.post(chat.update(text="登记"), secret="").status_code == 403
        assert chat.post(chat.update(text="登记"), secret="anything").status_code == 403
    assert "JOBBOT_TELEGRAM_WEBHOOK_SECRET is not set" in caplog.text


def test_without_a_token_the_route_answers_404(sqlite_url: str, tmp_path: Path, clock: Any) -> None:
    from conftest import make_settings

    config = make_settings(sqlite_url, tmp_path, telegram_webhook_secret=SECRET)
    engine = make_engine(sqlite_url)
    app = create_app(config, build_dispatcher(config, engine=engine, clock=clock))
    with serving(app) as url, httpx.Client(base_url=url) as http:
        response = http.post("/telegram", json=message_update(1, 5, text="hi"), headers={SECRET_HEADER: SECRET})
        assert response.status_code == 404
        assert "not configured" in response.text
        assert http.get("/healthz").status_code == 200
    engine.dispose()


def test_the_server_starts_while_telegram_is_unreachable(sqlite_url: str, tmp_path: Path, api: FakeTelegram,
                                                         clock: Any) -> None:
    api.down = True
    with telegram_chat(sqlite_url, tmp_path, api, clock) as chat:
        assert chat.http.get("/healthz").status_code == 200
        assert chat.post(chat.update(text="登记")).status_code == 503  # Telegram will deliver it again
        api.down = False
        assert any("开始登记" in t for t in chat.send("登记"))  # connected lazily on the next update


def test_the_server_starts_with_no_api_listening(sqlite_url: str, tmp_path: Path, api: FakeTelegram,
                                                 clock: Any) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with telegram_chat(sqlite_url, tmp_path, api, clock, telegram_api_base=url) as chat:
        assert chat.http.get("/healthz").status_code == 200
        assert chat.post(chat.update(text="登记")).status_code == 503


def test_blocking_the_bot_marks_the_account_unreachable(tg: TelegramChat) -> None:
    tg.send("/start")
    bot_user = {"id": 123456, "is_bot": True, "first_name": "开化零工助手", "username": "kaihua_jobbot"}
    person = {"id": tg.chat_id, "is_bot": False, "first_name": "测试"}

    def member_update(update_id: int, old: str, new: str) -> dict[str, Any]:
        return {"update_id": update_id, "my_chat_member": {
            "chat": {"id": tg.chat_id, "type": "private", "first_name": "测试"}, "from": person, "date": 1773108000,
            "old_chat_member": member(old), "new_chat_member": member(new)}}

    def member(status: str) -> dict[str, Any]:
        return {"user": bot_user, "status": status, **({"until_date": 0} if status == "kicked" else {})}

    def reachable() -> bool:
        with Session(tg.engine) as session:
            return session.exec(select(ChatAccount).where(col(ChatAccount.channel) == "telegram")).one().reachable

    assert tg.post(member_update(9001, "member", "kicked")).status_code == 200
    assert not reachable()
    assert tg.post(member_update(9002, "kicked", "member")).status_code == 200
    tg.send("/start")  # they came back and wrote: reachable again
    assert reachable()


async def test_one_chat_in_order_different_chats_at_once() -> None:
    processor = ChatOrderedProcessor()
    log: list[str] = []

    async def work(name: str, seconds: float) -> None:
        log.append(f"{name} start")
        await asyncio.sleep(seconds)
        log.append(f"{name} end")

    def update(update_id: int, chat_id: int) -> telegram.Update:
        return telegram.Update.de_json(message_update(update_id, chat_id, text="x"), None)

    await asyncio.gather(processor.process_update(update(1, 10), work("a1", 0.1)),
                         processor.process_update(update(2, 10), work("a2", 0)),
                         processor.process_update(update(3, 20), work("b", 0)))
    assert log.index("a1 end") < log.index("a2 start")  # the same chat waits its turn
    assert log.index("b end") < log.index("a1 end")  # another chat does not
    assert not processor._locks  # nothing kept for chats that went quiet
