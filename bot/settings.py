"""Every setting postgate reads, from the environment or `.env`.

The environment names are a contract (DESIGN.md "Settings"): never rename them.
Secrets are `SecretStr` so they never print in a log line or a repr. An empty value
means unset, for every setting: `.env.example` copied as it is must start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from handlers.emoji import setting_emoji

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
EMOJI_FIX = (
    "write the emoji's name as Slack shows it (white_check_mark, +1, x, pencil2), "
    "or the emoji itself, comma-separated"
)


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


CommaList = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_split_commas)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        frozen=True,
        env_ignore_empty=True,
    )

    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    timezone: str = Field(default="Europe/London", alias="POSTGATE_TIMEZONE")
    guidance_path: Path | None = Field(default=None, alias="POSTGATE_GUIDANCE")
    policy_path: Path | None = Field(default=None, alias="POSTGATE_POLICY")
    approvals_required: int = Field(default=1, ge=1, le=20, alias="POSTGATE_APPROVALS_REQUIRED")
    overrule_approvals: int = Field(default=2, ge=1, le=20, alias="POSTGATE_OVERRULE_APPROVALS")
    expire_days: int = Field(default=14, ge=1, le=365, alias="POSTGATE_EXPIRE_DAYS")
    port: int = Field(default=3000, ge=1, le=65535, alias="POSTGATE_PORT")
    local_editors: CommaList = Field(default=("editor", "chair"), alias="POSTGATE_LOCAL_EDITORS")
    local_steering: CommaList = Field(default=("chair",), alias="POSTGATE_LOCAL_STEERING")
    approve_emoji: CommaList = Field(
        default=("white_check_mark", "heavy_check_mark"), alias="POSTGATE_APPROVE_EMOJI"
    )
    reject_emoji: CommaList = Field(default=("x",), alias="POSTGATE_REJECT_EMOJI")
    changes_emoji: CommaList = Field(default=("pencil2", "memo"), alias="POSTGATE_CHANGES_EMOJI")
    log_level: str = Field(default="INFO", alias="POSTGATE_LOG_LEVEL")
    lock_wait_seconds: float = Field(default=2.0, ge=0.1, le=60, alias="POSTGATE_LOCK_WAIT_SECONDS")

    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str | None = Field(default=None, alias="SLACK_API_URL")
    slack_review_channel: str | None = Field(default=None, alias="SLACK_REVIEW_CHANNEL")
    slack_approved_channel: str | None = Field(default=None, alias="SLACK_APPROVED_CHANNEL")
    slack_steering_channel: str | None = Field(default=None, alias="SLACK_STEERING_CHANNEL")
    slack_editors: CommaList = Field(default=(), alias="SLACK_EDITORS")
    slack_proposers: CommaList = Field(default=(), alias="SLACK_PROPOSERS")
    slack_steering_group: str | None = Field(default=None, alias="SLACK_STEERING_GROUP")
    # Slack's free plan has no user groups: the steering group as user ids, or as the
    # members of SLACK_STEERING_CHANNEL.
    slack_steering_users: CommaList = Field(default=(), alias="SLACK_STEERING_USERS")
    slack_steering_channel_members: bool = Field(
        default=False, alias="SLACK_STEERING_CHANNEL_MEMBERS"
    )

    discord_token: SecretStr | None = Field(default=None, alias="DISCORD_TOKEN")
    discord_guild_id: int | None = Field(default=None, alias="DISCORD_GUILD_ID")
    discord_api_url: str | None = Field(default=None, alias="DISCORD_API_URL")
    discord_gateway_url: str | None = Field(default=None, alias="DISCORD_GATEWAY_URL")
    discord_review_channel: int | None = Field(default=None, alias="DISCORD_REVIEW_CHANNEL")
    discord_approved_channel: int | None = Field(default=None, alias="DISCORD_APPROVED_CHANNEL")
    discord_steering_channel: int | None = Field(default=None, alias="DISCORD_STEERING_CHANNEL")
    discord_editor_role: int | None = Field(default=None, alias="DISCORD_EDITOR_ROLE")
    discord_proposer_role: int | None = Field(default=None, alias="DISCORD_PROPOSER_ROLE")
    discord_steering_role: int | None = Field(default=None, alias="DISCORD_STEERING_ROLE")

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, values: Any) -> Any:
        """A value of only spaces is unset, as an empty one is (env_ignore_empty): a
        `.env` line like `SLACK_SIGNING_SECRET= ` must not become a secret of spaces."""
        if not isinstance(values, dict):
            return values
        return {k: v for k, v in values.items() if not (isinstance(v, str) and not v.strip())}

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{value!r} is not a timezone name; use one like Europe/London"
            ) from None
        return value

    @field_validator("approve_emoji", "reject_emoji", "changes_emoji")
    @classmethod
    def _known_emoji(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """Each emoji as a reaction arrives named (handlers/emoji.py), so a setting
        written `thumbsup`, `:+1:` or `👍` counts the 👍 an editor reacts with. A name
        postgate does not know may be the workspace's own emoji: doctor points it out."""
        names: list[str] = []
        for written in value:
            name = setting_emoji(written)
            if name is None:
                raise ValueError(f"{written!r} is not an emoji name; {EMOJI_FIX}")
            if name not in names:
                names.append(name)
        if not names:
            raise ValueError(f"names no emoji; {EMOJI_FIX}")
        return tuple(names)

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        if value.strip().upper() not in LOG_LEVELS:
            raise ValueError(f"{value!r} is not a log level; use one of {', '.join(LOG_LEVELS)}")
        return value.strip().upper()

    @property
    def overrule_needed(self) -> int:
        """Approvals an overrule needs: never fewer than a post the checker let through
        needs, whatever POSTGATE_OVERRULE_APPROVALS says (doctor points that out)."""
        return max(self.overrule_approvals, self.approvals_required)

    @property
    def resolved_database_url(self) -> str:
        """`DATABASE_URL`, or the SQLite file `postgate.db` in the working directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path.cwd() / 'postgate.db'}"

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None

    @property
    def discord_enabled(self) -> bool:
        return self.discord_token is not None


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment and `.env`; keyword overrides win (tests, CLI flags)."""
    return Settings(**overrides)  # type: ignore[arg-type]
