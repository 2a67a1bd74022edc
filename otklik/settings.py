"""Process settings from the environment and `.env` (prefix OTKLIK_)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from common.errors import ConfigError
from scrapers.capacity import Politeness
from scrapers.guard import parse_allowance, split_allowance

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///otklik.db"


class Settings(BaseSettings):
    """Everything the process needs that is not a brand: where, who, how loud."""

    model_config = SettingsConfigDict(
        env_prefix="OTKLIK_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = DEFAULT_DATABASE_URL
    # Seconds to wait at start for a database that is not up yet (after a reboot, say).
    database_wait: float = Field(default=60, ge=0, le=3600)
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
    # The full walk of each listing: fills holes, finds removed reviews, checks coverage.
    reconcile_hours: float = Field(default=24, gt=0)
    reconcile_pages: int = Field(default=20, ge=1)
    http_timeout: float = Field(default=30, gt=0)
    http_retries: int = Field(default=3, ge=0)
    http_backoff: float = Field(default=1.0, ge=0)
    # Politeness towards each site: requests per second and at once, per host.
    http_per_host_rate: float = Field(default=1.0, gt=0)
    # A site's own rate where its owners allow another, as JSON: {"yandex.ru": 2} (0: no limit).
    http_host_rates: dict[str, float] = Field(default_factory=dict)
    http_per_host_concurrency: int = Field(default=2, ge=1)
    http_max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    # Private addresses or networks sources may fetch from (comma-separated); none by default.
    allow_private_addresses: str = ""
    classify_batch: int = Field(default=64, ge=1)
    outbox_max_attempts: int = Field(default=12, ge=1)

    # PostgreSQL deployments: a worker silent this long is dead and its jobs go to another.
    job_lease: float = Field(default=30, ge=3)
    # Checked on every webhook request; derived from the bot token when unset.
    webhook_secret: SecretStr | None = None

    # Credentials for publishing replies on platforms with an official API.
    google_business_token: SecretStr | None = None
    google_play_token: SecretStr | None = None
    appstore_issuer_id: str | None = None
    appstore_key_id: str | None = None
    appstore_private_key_file: Path | None = None

    # Reply drafts from an OpenAI-compatible chat endpoint (else templates only).
    llm_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str | None = None
    llm_timeout: float = Field(default=20.0, gt=0, le=300)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        token = value.get_secret_value()
        if token.lower() in {"changeme", "your-token", "xxx"} or ":" not in token:
            raise ValueError("must be a bot token from @BotFather, like 123456:ABC-DEF...")
        return value

    @field_validator("allow_private_addresses")
    @classmethod
    def _networks(cls, value: str) -> str:
        parse_allowance(split_allowance(value))
        return value

    @property
    def allowed_private(self) -> tuple[str, ...]:
        return split_allowance(self.allow_private_addresses)

    @field_validator("http_host_rates")
    @classmethod
    def _host_rates(cls, value: dict[str, float]) -> dict[str, float]:
        rates = {}
        for host, rate in value.items():
            name = host.strip().lower().rstrip(".")
            if not name or "/" in name or ":" in name or " " in name:
                raise ValueError(f"{host!r} is not a host name: give it as yandex.ru, no scheme")
            if rate < 0:
                raise ValueError(f"{host}: a rate is requests a second, 0 or more")
            rates[name] = float(rate)
        return rates

    @property
    def politeness(self) -> Politeness:
        return Politeness(self.http_per_host_rate, self.http_host_rates)

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError(f"unknown log level {value!r}")
        return level

    @field_validator("llm_url")
    @classmethod
    def _llm_url(cls, value: str | None) -> str | None:
        if value and not value.lower().startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as http://127.0.0.1:8080/v1")
        return value or None

    @model_validator(mode="after")
    def _llm_model_named(self) -> Settings:
        if self.llm_url and not self.llm_model:
            raise ValueError("OTKLIK_LLM_URL is set: name the model in OTKLIK_LLM_MODEL")
        return self

    @field_validator("telegram_api_url", "sentiment_model", "llm_model")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


def load_settings(**overrides: object) -> Settings:
    """Read settings once at start; a bad value names the variable and what is wrong."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except SettingsError as exc:  # a structured value (a JSON map) that does not parse
        named = re.search(r'field "(\w+)"', str(exc))
        field = f"OTKLIK_{named[1].upper()}" if named else "a setting"
        raise ConfigError(
            f'bad settings: {field}: not valid JSON (a map such as {{"yandex.ru": 2}})'
        ) from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"OTKLIK_{'_'.join(str(p) for p in error['loc']).upper()}: {error['msg']}"
            if error["loc"]
            else error["msg"]  # a rule across variables names them itself
            for error in exc.errors()
        )
        raise ConfigError(f"bad settings: {problems}") from exc
