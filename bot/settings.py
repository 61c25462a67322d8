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

    telegram_token: str | None = None
    telegram_api_base: str | None = None
    telegram_webhook_secret: str | None = None

    quiet_start: str = "21:00"
    quiet_end: str = "08:00"

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
