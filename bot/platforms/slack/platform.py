"""The Slack app: slack-bolt's AsyncApp in postgate's own asyncio loop.

Socket Mode when `SLACK_APP_TOKEN` is set, otherwise HTTP on `/slack/events` (plus
`GET /health`) at `POSTGATE_PORT`. Every Web API call goes through one client built
with `SLACK_API_URL` and a Retry-After-honouring rate-limit handler.

Each listener receives the delivery (`handlers.delivery`: one insert), acks, and
starts the work in a task of its own: Slack gives three seconds, and checking,
storing and posting may take longer. (Not bolt's lazy listeners: they deep-copy the
request's context for each delivery, the web client and its pooled session with it.)
A redelivery is acked and not run twice; work a stop cut short runs at the next
start, and its answer comes by direct message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.web.async_client import AsyncWebClient

from bot.platforms.base import Platform
from bot.platforms.slack.border import Refused, bolt_request
from bot.platforms.slack.errors import error_code
from bot.platforms.slack.events import (
    FORM_BLOCK_ID,
    FORM_CALLBACK_ID,
    BadPayload,
    form_view,
    parse_command,
    parse_form_submission,
    parse_reaction,
    workspace_key,
)
from bot.platforms.slack.installed_app import OnlyInstalledApp, installed_app
from bot.platforms.slack.keys import command_key, event_key, form_key
from bot.platforms.slack.people import SlackPeople
from bot.platforms.slack.port import SlackChatPort
from bot.settings import Settings
from bot.startup.errors import ConfigError
from handlers.commands.registry import all_commands, find_command
from handlers.context import Context, Services
from handlers.delivery import Answer, Deliveries, Event, NotReceived
from handlers.events import Actor, Invocation, ReactionEvent, Reply
from handlers.port import ChannelRole, ChatPort, MessageRef
from handlers.proposals.reconcile import reconcile

log = logging.getLogger(__name__)

SLACK_API = "https://slack.com/api/"
_BOLT_LOG = logging.getLogger("bot.platforms.slack.bolt")
SHUTDOWN_GRACE_SECONDS = 5.0
HTTP_TIMEOUT_SECONDS = 30.0

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Received:
    """A delivery as a listener parsed it. The response URL and trigger id live in
    memory only: they expire, and they are secrets of a kind."""

    key: str
    event: Event
    response_url: str = ""
    trigger_id: str = ""
    form_prompt: str = ""  # set when an empty command opens a form instead


def build_client(settings: Settings) -> AsyncWebClient:
    """The one Web API client: `SLACK_API_URL` reaches every call, 429s are retried.
    A dropped connection is not: Slack may have posted the message already, and the
    outbox retries what postgate owes after looking for it (handlers/outbox.py)."""
    if settings.slack_bot_token is None:
        raise ValueError("SLACK_BOT_TOKEN is not set")
    base_url = settings.slack_api_url or SLACK_API
    if not base_url.endswith("/"):
        base_url += "/"
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=base_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)],
    )


AUTH_FAILURES = (SlackApiError, SlackClientError, aiohttp.ClientError, OSError, TimeoutError)


async def auth_test(client: AsyncWebClient, *, api_url: str | None) -> dict[str, Any]:
    """`auth.test`, or a ConfigError that says what to fix."""
    try:
        answer = await client.auth_test()
    except AUTH_FAILURES as exc:
        raise auth_failure(exc, base_url=client.base_url, api_url=api_url) from None
    return dict(answer.data) if isinstance(answer.data, dict) else {}


def auth_failure(exc: BaseException, *, base_url: str, api_url: str | None) -> ConfigError:
    """Why `auth.test` failed, whatever shape the failure took (JSON or not, or no answer)."""
    setting = "SLACK_API_URL" if api_url else "SLACK_BOT_TOKEN"
    if isinstance(exc, SlackApiError):
        code = error_code(exc)
        if code in ("invalid_auth", "not_authed", "account_inactive", "token_revoked"):
            return ConfigError(
                setting="SLACK_BOT_TOKEN",
                problem=f"Slack refused the bot token ({code})",
                fix="copy the Bot User OAuth Token (xoxb-...) from the app's "
                "OAuth & Permissions page",
            )
        return ConfigError(
            setting=setting,
            problem=f"Slack's auth.test failed ({code})",
            fix="try again in a minute; if it persists, check status.slack.com"
            + (" and SLACK_API_URL" if api_url else ""),
        )
    return ConfigError(
        setting=setting,
        problem=f"cannot reach Slack at {base_url} ({type(exc).__name__})",
        fix="check the network" + (" and SLACK_API_URL" if api_url else ""),
    )


class SlackPlatform:
    name = "slack"

    def __init__(
        self,
        *,
        settings: Settings,
        services: Services,
        host: str,
        shutdown_grace: float = SHUTDOWN_GRACE_SECONDS,
    ) -> None:
        self._settings = settings
        self._services = services
        self._host = host
        self._shutdown_grace = shutdown_grace
        self._client = build_client(settings)
        self._socket_mode = settings.slack_app_token is not None
        secret = settings.slack_signing_secret
        if not self._socket_mode and secret is None:
            raise ValueError(
                "SLACK_SIGNING_SECRET is not set: HTTP mode needs it "
                "(or set SLACK_APP_TOKEN to use Socket Mode)"
            )
        _set_bolt_log_level(_BOLT_LOG)
        self._app = AsyncApp(
            client=self._client,
            signing_secret=secret.get_secret_value() if secret else "",
            request_verification_enabled=secret is not None,
            # Listeners store the delivery before the response goes out, and start
            # the work after it.
            process_before_response=True,
            logger=_BOLT_LOG,
        )
        # HTTP mode checks each request's signature; Socket Mode has none to check, and
        # needs no secret (slack_sdk's verifier refuses an empty one).
        self._verifier = (
            SignatureVerifier(secret.get_secret_value()) if secret is not None else None
        )
        self._port = SlackChatPort(
            client=self._client,
            channels={
                ChannelRole.REVIEW: settings.slack_review_channel,
                ChannelRole.APPROVED: settings.slack_approved_channel,
                ChannelRole.STEERING: settings.slack_steering_channel,
            },
            editors=settings.slack_editors,
            steering_group=settings.slack_steering_group,
            steering_users=settings.slack_steering_users,
        )
        self._people = SlackPeople(
            client=self._client,
            editors=settings.slack_editors,
            proposers=settings.slack_proposers,
            steering_group=settings.slack_steering_group,
            steering_users=settings.slack_steering_users,
            steering_channel=(
                settings.slack_steering_channel if settings.slack_steering_channel_members else None
            ),
        )
        self._team_id = ""
        self._deliveries = self._deliveries_for("")
        self._replaying: asyncio.Task[int] | None = None
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self.http_port: int | None = None  # HTTP mode's, once started
        self._closed = asyncio.Event()
        self._register()

    # -- Platform --------------------------------------------------------------------
    @property
    def workspace(self) -> str:
        return workspace_key(self._team_id) if self._team_id else "slack:"

    @property
    def port(self) -> ChatPort:
        return self._port

    async def start(self) -> None:
        _set_bolt_log_level(_BOLT_LOG)
        auth = await auth_test(self._client, api_url=self._settings.slack_api_url)
        installed = await installed_app(client=self._client, auth=auth)
        self._team_id = installed.team_id
        self._port.workspace_url = str(auth.get("url") or "")
        self._deliveries = self._deliveries_for(self._team_id, replay_first=True)
        self._app.use(OnlyInstalledApp(installed))
        # Any delivery received before this moment is an earlier process's.
        started_at = self._services.clock.now()
        # One pooled HTTP session for every Web API call (slack-sdk opens one per call
        # otherwise): keep-alive connections, far less work per card.
        self._client.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT_SECONDS)
        )
        if self._socket_mode:
            token = self._settings.slack_app_token
            assert token is not None
            self._socket = AsyncSocketModeHandler(
                self._app, app_token=token.get_secret_value(), web_client=self._client
            )
            self._socket.client.message_listeners.append(self._on_socket_message)
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("Slack Socket Mode connected for %s", self.workspace)
            self._replaying = asyncio.create_task(self._catch_up(started_at))
            return
        web_app = web.Application()
        web_app.router.add_post("/slack/events", self._http_events)
        web_app.router.add_get("/health", self._health)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._settings.port)
        try:
            await site.start()
        except OSError as exc:
            # Not started, so never stopped: let go of what start took so far.
            await self._runner.cleanup()
            await self._client.session.close()
            raise ConfigError(
                setting="POSTGATE_PORT",
                problem=f"cannot listen on port {self._settings.port} "
                f"({(exc.strerror or str(exc)).rsplit(': ', 1)[-1]})",
                fix="another program (or another postgate) uses it: stop that, or choose "
                "another port and point the Slack app's request URL at it",
            ) from None
        addresses = self._runner.addresses  # as bound
        self.http_port = int(addresses[0][1]) if addresses else self._settings.port
        log.info("Slack HTTP mode listening on port %s for %s", self.http_port, self.workspace)
        self._replaying = asyncio.create_task(self._catch_up(started_at))

    # -- reading back the cards' reactions -------------------------------------------------
    async def _on_socket_message(
        self, _client: AsyncBaseSocketModeClient, message: dict[str, Any], _raw: str | None
    ) -> None:
        # Slack says hello on every Socket Mode connection, the first and each reconnect.
        if message.get("type") == "hello":
            self._read_back()

    async def _catch_up(self, started_at: datetime) -> int:
        """What an earlier process left undone, then the votes made while none listened."""
        return await self._deliveries.replay(before=started_at, read_back=self._reading_back)

    def _read_back(self) -> None:
        """Count the votes made on the open cards while postgate was not listening."""
        deliveries = self._deliveries
        deliveries.spawn(deliveries.read_back(self._reading_back), name="slack read back")

    async def _reading_back(self, turn: AbstractAsyncContextManager[object]) -> None:
        await reconcile(self._deliveries.ctx, read=self._reactions_on, who=self._person, turn=turn)

    async def _reactions_on(self, ref: MessageRef) -> list[tuple[str, str]]:
        answer = await self._client.reactions_get(
            channel=ref.channel, timestamp=ref.message_id, full=True
        )
        message = answer.get("message") or {}
        return [
            (str(reaction["name"]), str(user))
            for reaction in message.get("reactions") or []
            for user in reaction.get("users") or []
        ]

    async def _person(self, user_id: str) -> Actor:
        return await self._people.actor(user_id=user_id)

    async def wait_closed(self) -> None:
        await self._closed.wait()

    async def stop(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self._deliveries.stop(grace=self._shutdown_grace)
        if self._replaying is not None:
            self._replaying.cancel()  # not yet started: the next start replays instead
            await asyncio.gather(self._replaying, return_exceptions=True)
        if self._client.session is not None:
            await self._client.session.close()
            self._client.session = None

    # -- HTTP mode ---------------------------------------------------------------------
    async def _http_events(self, request: web.Request) -> web.Response:
        assert self._verifier is not None  # HTTP mode runs only with the secret
        try:
            bolt_req = bolt_request(
                body=await request.read(),
                headers=request.headers,
                query=request.query_string,
                content_type=request.content_type,
                verifier=self._verifier,
            )
        except Refused as refused:
            log.info("refused a Slack request: %s", refused.reason)
            return web.Response(status=refused.status)
        return await to_aiohttp_response(await self._app.async_dispatch(bolt_req))

    async def _health(self, _request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "workspace": self.workspace})

    # -- listeners: receive and ack, then start the work --------------------------------
    def _register(self) -> None:
        # Every command in the registry, the same way: adding one is one line elsewhere.
        for spec in all_commands():
            self._app.command(f"/{spec.name}")(self._on_command)
        self._app.view(FORM_CALLBACK_ID)(self._on_form)
        for name in ("reaction_added", "reaction_removed"):
            self._app.event(name)(self._on_reaction)

    def _deliveries_for(self, team_id: str, *, replay_first: bool = False) -> Deliveries:
        ctx = Context(services=self._services, port=self._port, workspace=workspace_key(team_id))
        return Deliveries(ctx, refresh=self._actor_now, replay_first=replay_first)

    async def _on_command(self, ack: AsyncAck, body: dict[str, Any]) -> BoltResponse | None:
        command = await _parsed(ack, body, parse_command, "a slash command payload")
        if command is None:
            return None
        spec = None if command.text else find_command(command.command)
        opens_form = spec is not None and spec.opens_form_when_empty and command.trigger_id
        received = Received(
            key=command_key(command, body),
            event=self._invocation(
                user_id=command.user_id,
                user_name=command.user_name,
                command=command.command,
                text=command.text,
                channel_id=command.channel_id,
            ),
            response_url=command.response_url,
            trigger_id=command.trigger_id,
            form_prompt=spec.arg_description if spec is not None and opens_form else "",
        )
        return await self._receive(ack, received, refused=lambda text: ack(text=text))

    async def _on_form(self, ack: AsyncAck, body: dict[str, Any]) -> BoltResponse | None:
        form = await _parsed(ack, body, parse_form_submission, "a form submission")
        if form is None:
            return None
        event = self._invocation(
            user_id=form.user_id,
            user_name=form.user_name,
            command=form.context.command,
            text=form.text,
            channel_id=form.context.channel_id,
        )
        return await self._receive(
            ack,
            Received(key=form_key(body), event=event),
            # Shown under the form's field, which keeps what the member wrote.
            refused=lambda text: ack(response_action="errors", errors={FORM_BLOCK_ID: text}),
        )

    async def _on_reaction(self, ack: AsyncAck, body: dict[str, Any]) -> BoltResponse | None:
        reaction = await _parsed(ack, body, parse_reaction, "a reaction event")
        if reaction is None:
            return None
        event = ReactionEvent(
            workspace=self.workspace,
            actor=_as_received(reaction.user_id),
            emoji=reaction.emoji,
            added=reaction.added,
            message=reaction.message,
            event_id=reaction.event_id,
        )
        return await self._receive(ack, Received(key=event_key(reaction.event_id), event=event))

    async def _receive(
        self,
        ack: AsyncAck,
        received: Received,
        *,
        refused: Callable[[str], Awaitable[object]] | None = None,
    ) -> BoltResponse | None:
        """Store the delivery, then ack: once Slack has its ack, the work is not lost.
        A redelivery is acked and not run again. One that could not be stored: a
        command is answered with why, through `refused`, and nothing was changed; an
        event is not acked (a 500), so Slack sends it again."""
        try:
            new = await self._deliveries.receive(key=received.key, event=received.event)
        except NotReceived as exc:
            if refused is None:
                return BoltResponse(status=500, body="")
            await refused(exc.text)
            return None
        await ack()
        if new:
            self._deliveries.spawn(self._run(received), name=f"slack {received.key}")
        return None

    async def _run(self, received: Received) -> None:
        if received.form_prompt and await self._open_form(received):
            # The submission is a delivery of its own; this one's work is done.
            await self._deliveries.done(key=received.key)
            return
        await self._deliveries.run(
            key=received.key, event=received.event, answer=self._answer_to(received)
        )

    def _invocation(
        self, *, user_id: str, user_name: str, command: str, text: str, channel_id: str
    ) -> Invocation:
        return Invocation(
            workspace=self.workspace,
            actor=_as_received(user_id, user_name),
            command=command,
            text=text,
            channel=channel_id or None,
        )

    async def _actor_now(self, received: Actor) -> Actor:
        """Roles and display name as Slack has them now (API calls: after the ack)."""
        return await self._people.actor(user_id=received.id, name=received.name)

    def _answer_to(self, received: Received) -> Answer:
        """Answer a command as it arrived: through its response URL, kept in memory only."""

        async def answer(reply: Reply) -> None:
            assert isinstance(received.event, Invocation)
            # A failed ephemeral reply falls back to a DM inside the port (port.reply).
            await self._port.reply(
                reply=reply,
                user_id=received.event.actor.id,
                channel_id=received.event.channel or "",
                response_url=received.response_url,
            )

        return answer

    async def _open_form(self, received: Received) -> bool:
        """Open the form an empty command asks for; False when Slack would not."""
        assert isinstance(received.event, Invocation)
        command = received.event.command
        prompt = received.form_prompt
        view = form_view(
            command=command,
            title=f"/{command}",
            prompt=prompt[:1].upper() + prompt[1:],
            channel_id=received.event.channel or "",
        )
        try:
            await self._client.views_open(trigger_id=received.trigger_id, view=view)
        except SlackApiError as exc:
            # No form: the command with no text still gets the handler's own answer.
            log.warning("Slack views.open failed (%s)", error_code(exc))
            return False
        return True


def _set_bolt_log_level(logger: logging.Logger) -> None:
    """Give bolt's logger postgate's level, but never below WARNING.

    Never below WARNING: bolt logs the whole body of a request it refuses at INFO, and a
    genuine one replayed too late carries Slack's legacy verification token and a live
    response URL (we log the refusal ourselves, without the body). Set on our logger
    itself: bolt reads `logger.level`, not the effective level, so an unset level (0)
    made it build debug messages for every middleware of every request, before the ack.
    Called before the app is built (its middlewares copy the level then) and again at
    start, once logging is set up."""
    logger.setLevel(logging.NOTSET)
    logger.setLevel(max(logging.WARNING, logger.getEffectiveLevel()))


async def _parsed(
    ack: AsyncAck, body: dict[str, Any], parse: Callable[[dict[str, Any]], T | None], what: str
) -> T | None:
    """What `parse` reads in `body`; None, once acked, when there is nothing to run: a
    payload it cannot read (logged as `what`) or one that is no concern of postgate's."""
    try:
        parsed = parse(body)
    except BadPayload as exc:
        await ack()
        log.warning("ignored %s: %s", what, exc)
        return None
    if parsed is None:
        await ack()
    return parsed


def _as_received(user_id: str, name: str = "") -> Actor:
    """The member as the payload names them; roles are looked up when the work runs."""
    return Actor(id=user_id, name=name)


def create_platform(
    settings: Settings,
    services: Services,
    *,
    host: str = "0.0.0.0",  # noqa: S104 - Slack must reach HTTP mode from outside
) -> Platform:
    """The Slack platform (not yet started). `host` narrows HTTP mode (tests use loopback)."""
    return SlackPlatform(settings=settings, services=services, host=host)


__all__ = ["FORM_BLOCK_ID", "SlackPlatform", "build_client", "create_platform"]
