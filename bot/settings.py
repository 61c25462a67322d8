"""Settings read from `JOBBOT_*` environment variables, one object for the whole app."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, computed_field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything configurable; defaults give the embedded demo (SQLite in ./data)."""

    model_config = SettingsConfigDict(env_prefix="JOBBOT_", env_file=None, extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default a SQLite file in data_dir")
    timezone: str = "Asia/Shanghai"

    host: str = "127.0.0.1"
    port: int = 8000
    admin_token: str | None = None

    wechat_token: str | None = None
    wechat_appid: str | None = None
    wechat_secret: str | None = None
    wechat_aes_key: str | None = None
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_reply_budget: float = 4.0  # seconds to answer passively before replying later (5-second rule)
    wechat_template_id: str | None = None  # template message used outside the 48-hour window
    wechat_template_fields: str = "thing1"  # keyword fields the text is spread over, in order
    wechat_max_body: int = 1024 * 1024  # larger webhook bodies are refused (413)

    telegram_token: str | None = None
    telegram_api_base: str | None = None
    telegram_webhook_secret: str | None = None

    quiet_start: str = "21:00"
    quiet_end: str = "08:00"
    elderly_quiet_start: str = "20:00"
    elderly_quiet_end: str = "09:00"
    elderly_age: int = 60
    job_daily_cap: int = 3
    digest_at: str = "09:00"
    background: bool = True  # run push delivery and the schedule inside `jobbot serve`
    # WeChat messages are handled in this many child processes of each server process
    # (bot/dispatch_process.py); 0 handles them in threads of the server process itself
    dispatch_processes: int = 1
    # one process of all those on the database leads and runs the schedule (bot/leader.py); each
    # checks this often whether it can take the lead, and the leader that it still holds it
    leader_check_seconds: float = Field(default=10.0, ge=0.2, le=30)
    schedule_tick_seconds: int | None = Field(default=None, ge=1)  # tests: every task this often
    push_lease_seconds: int = 300
    push_concurrency: int = 16

    # the fixed fairs of the 8th and 18th at the human-resources market, and fair reminders
    fair_venue: str = "开化县人力资源市场"
    fair_address: str | None = None  # shown after the venue when set
    fair_town: str = "芹阳办事处"
    fair_start: str = "09:00"
    fair_end: str = "12:00"
    fair_generate_months: int = 3
    fair_remind_eve: str = "09:00"  # the day before, for everyone who wants fair reminders
    fair_remind_morning: str = "08:00"  # the morning itself, for people in the fair's own town

    console_session_hours: int = 12  # how long a console login lasts

    @computed_field  # type: ignore[prop-decorator]
    @property
    def db_url(self) -> str:
        """The database URL in force: the configured one, or the SQLite file in data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'jobbot.sqlite3').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
