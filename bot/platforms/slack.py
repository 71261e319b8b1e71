"""The Slack app: slack-bolt's AsyncApp in postgate's own asyncio loop.

Socket Mode when `SLACK_APP_TOKEN` is set, otherwise HTTP on `/slack/events` (plus
`GET /health`) at `POSTGATE_PORT`. Every Web API call goes through one client built
with `SLACK_API_URL` and a Retry-After-honouring rate-limit handler.

Listeners ack at once and hand the work to `AfterAck`: Slack gives three seconds,
and checking, storing and posting may take longer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.platforms.base import Platform
from bot.platforms.slack_events import (
    FORM_BLOCK_ID,
    FORM_CALLBACK_ID,
    BadPayload,
    SlashCommand,
    form_view,
    parse_command,
    parse_form_submission,
    parse_reaction,
    workspace_key,
)
from bot.platforms.slack_people import SlackPeople
from bot.platforms.slack_port import SlackChatPort
from bot.platforms.slack_work import AfterAck
from bot.settings import Settings
from handlers.context import Context, Services
from handlers.dispatch import run_command
from handlers.events import Invocation, ReactionEvent, Reply
from handlers.port import ChannelRole, ChatPort, PlatformError
from handlers.registry import all_commands, find_command
from handlers.review import handle_reaction

log = logging.getLogger(__name__)

SLACK_API = "https://slack.com/api/"
SHUTDOWN_GRACE_SECONDS = 5.0
HTTP_TIMEOUT_SECONDS = 30.0


def build_client(settings: Settings) -> AsyncWebClient:
    """The one Web API client: `SLACK_API_URL` reaches every call, 429s are retried."""
    if settings.slack_bot_token is None:
        raise ValueError("SLACK_BOT_TOKEN is not set")
    base_url = settings.slack_api_url or SLACK_API
    if not base_url.endswith("/"):
        base_url += "/"
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=base_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        ],
    )


class SlackPlatform:
    def __init__(self, *, settings: Settings, services: Services, host: str) -> None:
        self._settings = settings
        self._services = services
        self._host = host
        self._client = build_client(settings)
        self._socket_mode = settings.slack_app_token is not None
        secret = settings.slack_signing_secret
        if not self._socket_mode and secret is None:
            raise ValueError(
                "SLACK_SIGNING_SECRET is not set: HTTP mode needs it "
                "(or set SLACK_APP_TOKEN to use Socket Mode)"
            )
        self._app = AsyncApp(
            client=self._client,
            signing_secret=secret.get_secret_value() if secret else "",
            request_verification_enabled=secret is not None,
            # Our listeners only ack and schedule, so the response goes out at once.
            process_before_response=True,
            logger=logging.getLogger("bot.platforms.slack.bolt"),
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
        )
        self._people = SlackPeople(
            client=self._client,
            editors=settings.slack_editors,
            proposers=settings.slack_proposers,
            steering_group=settings.slack_steering_group,
        )
        self._work = AfterAck()
        self._team_id = ""
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._bound_port: int | None = None
        self._closed = asyncio.Event()
        self._register()

    # -- Platform --------------------------------------------------------------------
    @property
    def name(self) -> str:
        return "slack"

    @property
    def workspace(self) -> str:
        return workspace_key(self._team_id) if self._team_id else "slack:"

    @property
    def port(self) -> ChatPort:
        return self._port

    @property
    def http_port(self) -> int | None:
        """The port HTTP mode listens on, once started (None in Socket Mode)."""
        return self._bound_port

    @property
    def in_flight(self) -> int:
        return len(self._work)

    async def start(self) -> None:
        try:
            auth = await self._client.auth_test()
        except SlackApiError as exc:
            raise RuntimeError(
                f"Slack refused the bot token ({exc.response.get('error')}); "
                "check SLACK_BOT_TOKEN and SLACK_API_URL"
            ) from None
        self._team_id = str(auth["team_id"])
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
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("Slack Socket Mode connected for %s", self.workspace)
            return
        web_app = web.Application()
        web_app.router.add_post("/slack/events", self._http_events)
        web_app.router.add_get("/health", self._health)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._settings.port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self._bound_port = int(sockets[0].getsockname()[1]) if sockets else self._settings.port
        log.info("Slack HTTP mode listening on port %s for %s", self._bound_port, self.workspace)

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
        await self._work.drain(grace=SHUTDOWN_GRACE_SECONDS)
        if self._client.session is not None:
            await self._client.session.close()
            self._client.session = None

    # -- HTTP mode ---------------------------------------------------------------------
    async def _http_events(self, request: web.Request) -> web.Response:
        response = await self._app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def _health(self, _request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "workspace": self.workspace})

    # -- listeners: ack, then schedule the work ------------------------------------------
    def _register(self) -> None:
        # Every command in the registry, the same way: adding one is one line elsewhere.
        for spec in all_commands():
            self._app.command(f"/{spec.name}")(self._on_command)
        self._app.view(FORM_CALLBACK_ID)(self._on_form)
        self._app.event("reaction_added")(self._on_reaction)
        self._app.event("reaction_removed")(self._on_reaction)

    async def _on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        try:
            command = parse_command(body)
        except BadPayload as exc:
            log.warning("ignored a slash command payload: %s", exc)
            return
        spec = find_command(command.command)
        if spec is not None and spec.opens_form_when_empty and not command.text:
            # The trigger_id dies 3 s after the command: open the form now, not in turn.
            self._work.spawn(
                self._open_form(command=command, prompt=spec.arg_description),
                what=f"form for /{spec.name}",
                queued=False,
            )
            return
        self._work.spawn(self._run_command(command), what=f"command /{command.command}")

    async def _on_form(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        self._work.spawn(self._run_form(body), what="form submission")

    async def _on_reaction(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        self._work.spawn(self._run_reaction(body), what=f"event {body.get('event_id')}")

    # -- the work ----------------------------------------------------------------------
    def _context(self, team_id: str) -> Context:
        return Context(services=self._services, port=self._port, workspace=workspace_key(team_id))

    async def _run_command(self, command: SlashCommand) -> None:
        actor = await self._people.actor(user_id=command.user_id, name=command.user_name)
        invocation = Invocation(
            workspace=workspace_key(command.team_id),
            actor=actor,
            command=command.command,
            text=command.text,
            channel=command.channel_id or None,
        )
        reply = await run_command(invocation, self._context(command.team_id))
        await self._reply(
            reply=reply,
            user_id=command.user_id,
            channel_id=command.channel_id,
            response_url=command.response_url,
        )

    async def _open_form(self, *, command: SlashCommand, prompt: str) -> None:
        view = form_view(
            command=command.command,
            title=f"/{command.command}",
            prompt=prompt[:1].upper() + prompt[1:],
            channel_id=command.channel_id,
        )
        try:
            await self._client.views_open(trigger_id=command.trigger_id, view=view)
        except SlackApiError as exc:
            # No form: the command with no text still gets the handler's own answer.
            log.warning("Slack views.open failed (%s)", exc.response.get("error"))
            self._work.spawn(self._run_command(command), what=f"command /{command.command}")

    async def _run_form(self, body: dict[str, Any]) -> None:
        try:
            form = parse_form_submission(body)
        except BadPayload as exc:
            log.warning("ignored a form submission: %s", exc)
            return
        actor = await self._people.actor(user_id=form.user_id, name=form.user_name)
        invocation = Invocation(
            workspace=workspace_key(form.team_id),
            actor=actor,
            command=form.context.command,
            text=form.text,
            channel=form.context.channel_id or None,
        )
        reply = await run_command(invocation, self._context(form.team_id))
        await self._reply(reply=reply, user_id=form.user_id, channel_id=form.context.channel_id)

    async def _reply(
        self, *, reply: Reply, user_id: str, channel_id: str, response_url: str = ""
    ) -> None:
        try:
            await self._port.reply(
                reply=reply, user_id=user_id, channel_id=channel_id, response_url=response_url
            )
        except PlatformError as exc:
            if reply.visibility != "private" or not channel_id:
                raise
            # Ephemeral messages fail where the bot is not a member: a DM reaches them anyway.
            log.warning("%s; replying to %s by DM", exc, user_id)
            await self._port.direct_message(user_id=user_id, message=reply.message)

    async def _run_reaction(self, body: dict[str, Any]) -> None:
        try:
            reaction = parse_reaction(body)
        except BadPayload as exc:
            log.warning("ignored a reaction event: %s", exc)
            return
        if reaction is None:
            return
        actor = await self._people.actor(user_id=reaction.user_id)
        event = ReactionEvent(
            workspace=workspace_key(reaction.team_id),
            actor=actor,
            emoji=reaction.emoji,
            added=reaction.added,
            message=reaction.message,
            event_id=reaction.event_id,
        )
        await handle_reaction(event, self._context(reaction.team_id))


def create_platform(
    settings: Settings,
    services: Services,
    *,
    host: str = "0.0.0.0",  # noqa: S104 - Slack must reach HTTP mode from outside
) -> Platform:
    """The Slack platform (not yet started). `host` narrows HTTP mode (tests use loopback)."""
    return SlackPlatform(settings=settings, services=services, host=host)


__all__ = ["FORM_BLOCK_ID", "SlackPlatform", "build_client", "create_platform"]
