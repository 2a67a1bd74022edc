"""Process settings from the environment and `.env` (prefix OTKLIK_)."""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///otklik.db"


class Settings(BaseSettings):
    """Everything the process needs that is not a brand: where, who, how loud."""

    model_config = SettingsConfigDict(
        env_prefix="OTKLIK_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = DEFAULT_DATABASE_URL
    bot_token: SecretStr | None = None
    telegram_api_url: str | None = None
    config: Path = Path("otklik.toml")
    log_level: str = "INFO"
    sentiment_model: str | None = None

    # Scheduler and fetching.
    max_concurrent_polls: int = Field(default=8, ge=1, le=256)
    poll_jitter: float = Field(default=0.1, ge=0, le=1)
    backfill_limit: int = Field(default=200, ge=0)
    backfill_days: int = Field(default=30, ge=0)
    unhealthy_after: int = Field(default=3, ge=1)
    http_timeout: float = Field(default=30, gt=0)
    http_retries: int = Field(default=3, ge=0)
    http_backoff: float = Field(default=1.0, ge=0)
    # Politeness towards each site: requests per second and at once, per host.
    http_per_host_rate: float = Field(default=1.0, gt=0)
    http_per_host_concurrency: int = Field(default=2, ge=1)
    http_max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    classify_batch: int = Field(default=64, ge=1)
    outbox_max_attempts: int = Field(default=12, ge=1)

    # Credentials for publishing replies on platforms with an official API.
    google_business_token: SecretStr | None = None
    google_play_token: SecretStr | None = None
    appstore_issuer_id: str | None = None
    appstore_key_id: str | None = None
    appstore_private_key_file: Path | None = None

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        token = value.get_secret_value()
        if token.lower() in {"changeme", "your-token", "xxx"} or ":" not in token:
            raise ValueError("must be a bot token from @BotFather, like 123456:ABC-DEF...")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError(f"unknown log level {value!r}")
        return level

    @field_validator("telegram_api_url", "sentiment_model")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


def load_settings(**overrides: object) -> Settings:
    """Read settings once at start; a bad value names the variable and what is wrong."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"OTKLIK_{'_'.join(str(p) for p in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors()
        )
        raise ConfigError(f"bad settings: {problems}") from exc
