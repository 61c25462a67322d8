"""Settings read from `JOBBOT_*` environment variables, one object for the whole app.

Every value is checked when the settings load, so that a mistyped time or key stops the
program at start with a clear message (`describe`) instead of failing hours later inside a
scheduled task.
"""

from __future__ import annotations

import re
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, ValidationError, computed_field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "JOBBOT_"
_TEMPLATE_FIELD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*(:[1-9][0-9]*)?")
_AES_KEY = re.compile(r"[A-Za-z0-9]{43}")
_SECRET = re.compile(r"TOKEN|SECRET|KEY")  # settings whose values are never printed
_ENDPOINT = re.compile(r"(https?://)?[A-Za-z0-9.-]+(:[0-9]{1,5})?/?")
_TEMPLATE_CODE = re.compile(r"[A-Za-z0-9_]{1,64}")


def _clock_time(value: str) -> str:
    """"8:00" or "08:00" → "08:00"; anything that is not a time of day is refused."""
    hours, colon, minutes = value.strip().partition(":")
    if not (colon and hours.isdigit() and len(minutes) == 2 and minutes.isdigit()
            and int(hours) <= 23 and int(minutes) <= 59):
        raise ValueError("时间要写成 时:分，比如 08:00 或 21:30（00:00 到 23:59）")
    return f"{int(hours):02d}:{minutes}"


ClockTime = Annotated[str, AfterValidator(_clock_time)]


def _optional(value: str | None, pattern: re.Pattern[str], mistake: str) -> str | None:
    """An optional value, stripped, that must match `pattern` when given; empty means unset."""
    if not value:
        return None
    if not pattern.fullmatch(value.strip()):
        raise ValueError(mistake)
    return value.strip()


class Settings(BaseSettings):
    """Everything configurable; defaults give the embedded demo (SQLite in ./data)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=None, extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default a SQLite file in data_dir")
    timezone: str = "Asia/Shanghai"

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    admin_token: str | None = None

    wechat_token: str | None = None
    wechat_appid: str | None = None
    wechat_secret: str | None = None
    wechat_aes_key: str | None = None
    wechat_api_base: str = "https://api.weixin.qq.com"
    # seconds to answer passively before replying later (WeChat's 5-second rule)
    wechat_reply_budget: float = Field(default=4.0, gt=0, lt=5)
    wechat_template_id: str | None = None  # template message used outside the 48-hour window
    wechat_template_fields: str = "thing1"  # keyword fields the text is spread over, in order
    wechat_max_body: int = Field(default=1024 * 1024, ge=1024)  # larger webhook bodies are refused (413)
    # a signed request whose timestamp is further than this from our clock is refused (403)
    wechat_timestamp_window: int = Field(default=300, ge=30)
    # with an AES key: "safe" refuses plaintext bodies, "compatible" accepts them too
    wechat_encrypt_mode: Literal["safe", "compatible"] = "safe"

    # SMS and voice calls through Alibaba Cloud (bot/channels/sms, bot/channels/voice); an endpoint
    # is a host (HTTPS) or http://host:port for a fake provider on this machine
    sms_access_key_id: str | None = None
    sms_access_key_secret: str | None = None
    sms_sign_name: str | None = None  # the approved signature, shown as 【…】 before every message
    sms_endpoint: str = "dysmsapi.aliyuncs.com"
    # approved template codes (SMS_…) per kind, their wording in bot/channels/data/phone_templates.json;
    # a kind without its own takes the generic NOTICE one
    sms_template_consent: str | None = None
    sms_template_job: str | None = None
    sms_template_fair: str | None = None
    sms_template_fair_change: str | None = None
    sms_template_course: str | None = None
    sms_template_notice: str | None = None
    sms_price: float = Field(default=0.045, ge=0, le=10)  # yuan per message
    voice_access_key_id: str | None = None  # unset: the SMS account's key
    voice_access_key_secret: str | None = None
    voice_endpoint: str = "dyvmsapi.aliyuncs.com"
    voice_template_consent: str | None = None  # TTS template codes (TTS_…)
    voice_template_fair: str | None = None
    voice_template_fair_change: str | None = None  # unset: a fair's change goes by SMS
    voice_show_number: str | None = None  # the caller number shown; unset: the provider's public one
    voice_price: float = Field(default=0.1, ge=0, le=10)  # yuan per call
    phone_monthly_budget: float = Field(default=200.0, ge=0)  # yuan a month for SMS and calls together
    phone_callback_token: str | None = None  # the SMS and call callbacks must carry it (?token= or a header)

    telegram_token: str | None = None
    telegram_api_base: str | None = None
    telegram_webhook_secret: str | None = None

    quiet_start: ClockTime = "21:00"
    quiet_end: ClockTime = "08:00"
    elderly_quiet_start: ClockTime = "20:00"
    elderly_quiet_end: ClockTime = "09:00"
    elderly_age: int = Field(default=60, ge=40, le=100)
    job_daily_cap: int = Field(default=3, ge=1)
    digest_at: ClockTime = "09:00"
    background: bool = True  # run push delivery and the schedule inside `jobbot serve`
    # WeChat messages are handled in this many child processes of each server process
    # (bot/dispatch_process.py); 0 handles them in threads of the server process itself; unset:
    # `dispatch_children`
    dispatch_processes: int | None = Field(default=None, ge=0, le=64)
    # one process of all those on the database leads and runs the schedule (bot/leader.py); each
    # checks this often whether it can take the lead, and the leader that it still holds it
    leader_check_seconds: float = Field(default=10.0, ge=0.2, le=30)
    schedule_tick_seconds: int | None = Field(default=None, ge=1)  # tests: every task this often
    push_lease_seconds: int = Field(default=300, ge=1)
    push_concurrency: int = Field(default=16, ge=1, le=1000)

    # the fixed fairs of the 8th and 18th at the human-resources market, and fair reminders
    fair_venue: str = "开化县人力资源市场"
    fair_address: str | None = None  # shown after the venue when set
    fair_town: str = "芹阳办事处"
    fair_start: ClockTime = "09:00"
    fair_end: ClockTime = "12:00"
    fair_generate_months: int = Field(default=3, ge=1, le=24)
    fair_remind_eve: ClockTime = "09:00"  # the day before, for everyone who wants fair reminders
    fair_remind_morning: ClockTime = "08:00"  # the morning itself, for people in the fair's own town

    console_session_hours: int = Field(default=12, ge=1, le=24 * 30)  # the longest a console login lasts
    # a console login ends after this long without a request
    console_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated addresses, or *);
    # empty: the socket's peer is the client, whatever headers say
    trusted_proxies: str = ""

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("不认识这个时区，要写成 Asia/Shanghai 这样的名字") from None
        return value

    @field_validator("wechat_aes_key")
    @classmethod
    def _aes_key(cls, value: str | None) -> str | None:
        return _optional(value, _AES_KEY, "EncodingAESKey 是公众号后台给的 43 位字母和数字")

    @field_validator("wechat_template_fields")
    @classmethod
    def _template_fields(cls, value: str) -> str:
        items = [item.strip() for item in value.split(",")]
        if not all(_TEMPLATE_FIELD.fullmatch(item) for item in items):
            raise ValueError("模板字段要写成用英文逗号隔开的字段名，可带字数上限，比如 thing1,thing2:15")
        return ",".join(items)

    @field_validator("sms_endpoint", "voice_endpoint")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        if not _ENDPOINT.fullmatch(value.strip()):
            raise ValueError("要写服务地址，比如 dysmsapi.aliyuncs.com，本机测试可写 http://127.0.0.1:9000")
        return value.strip().rstrip("/")

    @field_validator("sms_template_consent", "sms_template_job", "sms_template_fair", "sms_template_fair_change",
                     "sms_template_course", "sms_template_notice", "voice_template_consent", "voice_template_fair",
                     "voice_template_fair_change")
    @classmethod
    def _template_code(cls, value: str | None) -> str | None:
        return _optional(value, _TEMPLATE_CODE, "模板代码是阿里云后台给的，比如 SMS_123456789 或 TTS_123456789")

    @model_validator(mode="after")
    def _fair_hours(self) -> Settings:
        if time.fromisoformat(self.fair_end) <= time.fromisoformat(self.fair_start):
            raise ValueError(f"招聘会结束时间（JOBBOT_FAIR_END={self.fair_end}）要晚于开始时间"
                             f"（JOBBOT_FAIR_START={self.fair_start}）")
        return self

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented form, mypy#1362
    @property
    def db_url(self) -> str:
        """The database URL in force: the configured one, or the SQLite file in data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'jobbot.sqlite3').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    @property
    def dispatch_children(self) -> int:
        """Dispatch processes of each server: as set, else one on SQLite (it has one writer) and two
        on PostgreSQL, where a second overlaps the first one's round trips (benchmarks/
        wechat_webhook.py --dispatch 1 vs 2, mixed traffic on 2 cores: about 1,150 → 1,260 req/s
        averaged over paired runs, for about a quarter more CPU a message)."""
        if self.dispatch_processes is not None:
            return self.dispatch_processes
        return 1 if self.is_sqlite else 2


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


_CONSTRAINTS = {
    "greater_than": "要大于 {gt}", "greater_than_equal": "不能小于 {ge}",
    "less_than": "要小于 {lt}", "less_than_equal": "不能大于 {le}",
    "int_parsing": "要写一个整数", "float_parsing": "要写一个数", "bool_parsing": "要写 true 或 false",
}


def describe(error: ValidationError) -> list[str]:
    """One Chinese line per wrong setting, naming its environment variable and the value given."""
    lines = []
    for problem in error.errors():
        if not problem["loc"]:
            lines.append(str(problem["ctx"]["error"]) if "error" in problem.get("ctx", {}) else problem["msg"])
            continue
        name = ENV_PREFIX + str(problem["loc"][0]).upper()
        if problem["type"] == "value_error":
            reason = str(problem["ctx"]["error"])
        elif problem["type"] in _CONSTRAINTS:
            reason = _CONSTRAINTS[problem["type"]].format(**problem.get("ctx", {}))
        else:
            reason = problem["msg"]
        given = "" if _SECRET.search(name) else f"={problem['input']}"
        lines.append(f"{name}{given}：{reason}")
    return lines
