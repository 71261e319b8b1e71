"""A local fake Discord: the REST API and the gateway websocket on 127.0.0.1.

The real discord.py client connects to it unchanged once `discord.http.Route.BASE`
and `DiscordWebSocket.DEFAULT_GATEWAY` point here (the platform does that from
`DISCORD_API_URL` / `DISCORD_GATEWAY_URL`). It records every REST call, keeps the
messages it was sent (so a test can read a card after an edit), and injects gateway
dispatches the way Discord would: slash commands, modal submissions, autocomplete,
reactions added and removed.

It plays one guild with a few channels, roles and members; tests add members.
`hidden_channels` answer 403 Missing Access (the bot lacks View Channel) and
`missing_channels` 404 Unknown Channel, as Discord does; another guild id is 404
Unknown Guild.
A message sent with `enforce_nonce` and a nonce already used in its channel answers
with the message made the first time, as Discord does for a few minutes.
Only what postgate uses is implemented; anything else answers 404 and is recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import WSMsgType, web

JSON = dict[str, Any]

GUILD_ID = 810000000000000001
APP_ID = 820000000000000002
BOT_ID = 830000000000000003
REVIEW_CHANNEL = 840000000000000001
APPROVED_CHANNEL = 840000000000000002
STEERING_CHANNEL = 840000000000000003
GENERAL_CHANNEL = 840000000000000004
EDITOR_ROLE = 850000000000000001
PROPOSER_ROLE = 850000000000000002
STEERING_ROLE = 850000000000000003
JOINED = "2024-01-01T00:00:00+00:00"


@dataclass(frozen=True)
class RestCall:
    method: str
    path: str  # after the API base, e.g. /channels/123/messages
    query: dict[str, str]
    body: Any  # the JSON body (or a multipart's payload_json), None when empty
    files: tuple[tuple[str, bytes], ...] = ()
    authorization: str | None = None


@dataclass
class FakeMessage:
    id: int
    channel_id: int
    author_id: int
    content: str
    embeds: list[JSON]
    allowed_mentions: JSON | None
    edits: list[JSON] = field(default_factory=list)  # every PATCH body, in order
    message_reference: JSON | None = None
    reactions: dict[str, list[int]] = field(default_factory=dict)  # emoji -> user ids
    nonce: str | None = None


class FakeDiscord:
    """Start with `await start()`, stop with `await stop()` (or `async with`)."""

    def __init__(self, *, token: str = "fake-discord-bot-token") -> None:
        self.token = token
        self.calls: list[RestCall] = []
        self.messages: dict[int, FakeMessage] = {}
        self.dm_channels: dict[int, int] = {}  # dm channel id -> user id
        self.reactions: list[tuple[int, int, str]] = []  # (channel, message, emoji) by the bot
        self.commands: list[JSON] = []  # what the last sync registered
        self.callbacks: dict[int, JSON] = {}  # interaction id -> the bot's callback body
        self.followups: dict[str, list[JSON]] = {}  # interaction token -> follow-up bodies
        self.identifies: list[JSON] = []
        self.resumes: list[JSON] = []
        self._failing: list[tuple[str, str, int]] = []  # (method, path pattern, HTTP status)
        self._holding: list[tuple[str, str]] = []  # (method, path pattern): answers held
        self._closing = asyncio.Event()  # ends held answers
        self.deleted_originals: list[str] = []  # interaction tokens
        self.users: dict[int, JSON] = {}
        self.member_roles: dict[int, list[int]] = {}
        self.dm_forbidden: set[int] = set()  # users who closed their DMs
        self.hidden_channels: set[int] = set()  # the bot lacks View Channel: 403 Missing Access
        self.missing_channels: set[int] = set()  # deleted: 404 Unknown Channel
        self._ids = itertools.count(860000000000000001)
        self._sockets: list[_Session] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.add_member(BOT_ID, "postgate", roles=[], bot=True)

    # --- life cycle -------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None)
        assert sockets
        self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._closing.set()  # a held answer's client is gone: the server need not wait
        for session in list(self._sockets):
            with contextlib.suppress(Exception):
                await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # --- the world ----------------------------------------------------------------------

    def add_member(self, user_id: int, name: str, *, roles: list[int], bot: bool = False) -> None:
        self.users[user_id] = {
            "id": str(user_id),
            "username": name,
            "global_name": name,
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
        }
        self.member_roles[user_id] = list(roles)

    def member(self, user_id: int) -> JSON:
        return {
            "user": self.users[user_id],
            "roles": [str(r) for r in self.member_roles[user_id]],
            "joined_at": JOINED,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
            "pending": False,
            "premium_since": None,
            "communication_disabled_until": None,
            "permissions": "2147483647",
        }

    def channel(self, channel_id: int) -> JSON:
        if channel_id in self.dm_channels:
            return {
                "id": str(channel_id),
                "type": 1,
                "last_message_id": None,
                "recipients": [self.users[self.dm_channels[channel_id]]],
            }
        names = {
            REVIEW_CHANNEL: "review",
            APPROVED_CHANNEL: "approved",
            STEERING_CHANNEL: "steering",
            GENERAL_CHANNEL: "general",
        }
        return {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(GUILD_ID),
            "name": names.get(channel_id, f"channel-{channel_id}"),
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }

    def guild(self) -> JSON:
        roles = [
            (GUILD_ID, "@everyone"),
            (EDITOR_ROLE, "editors"),
            (PROPOSER_ROLE, "proposers"),
            (STEERING_ROLE, "steering"),
        ]
        return {
            "id": str(GUILD_ID),
            "name": "Test CLP",
            "unavailable": False,
            "owner_id": "1",
            "member_count": len(self.users),
            "large": False,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [
                {
                    "id": str(role_id),
                    "name": name,
                    "color": 0,
                    "hoist": False,
                    "position": i,
                    "permissions": "0",
                    "managed": False,
                    "mentionable": True,
                    "flags": 0,
                }
                for i, (role_id, name) in enumerate(roles)
            ],
            "channels": [
                self.channel(c)
                for c in (REVIEW_CHANNEL, APPROVED_CHANNEL, STEERING_CHANNEL, GENERAL_CHANNEL)
            ],
            "members": [self.member(BOT_ID)],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "joined_at": JOINED,
        }

    def next_id(self) -> int:
        return next(self._ids)

    # --- what tests read ----------------------------------------------------------------

    def calls_to(self, method: str, pattern: str) -> list[RestCall]:
        rx = re.compile(pattern)
        return [c for c in self.calls if c.method == method and rx.fullmatch(c.path)]

    def channel_messages(self, channel_id: int) -> list[FakeMessage]:
        return [m for m in self.messages.values() if m.channel_id == channel_id]

    def dms_to(self, user_id: int) -> list[FakeMessage]:
        channels = {c for c, u in self.dm_channels.items() if u == user_id}
        return [m for m in self.messages.values() if m.channel_id in channels]

    async def wait_for(self, condition: Callable[[], Any], *, within: float = 5.0) -> Any:
        """Wait (bounded) until `condition()` is truthy after some REST call; return it."""

        async def waiting() -> Any:
            async with self._changed:
                while not (result := condition()):
                    await self._changed.wait()
                return result

        return await asyncio.wait_for(waiting(), within)

    async def wait_connected(self, *, within: float = 5.0) -> None:
        await self.wait_for(lambda: any(s.ready for s in self._sockets), within=within)

    # --- what tests inject --------------------------------------------------------------

    def _interaction(self, *, user_id: int, kind: int, data: JSON, channel_id: int) -> JSON:
        interaction_id = self.next_id()
        return {
            "id": str(interaction_id),
            "application_id": str(APP_ID),
            "type": kind,
            "token": f"itoken-{interaction_id}",
            "version": 1,
            "guild_id": str(GUILD_ID),
            "channel_id": str(channel_id),
            "channel": self.channel(channel_id),
            "member": self.member(user_id),
            "data": data,
            "locale": "en-GB",
            "guild_locale": "en-GB",
            "app_permissions": "2147483647",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(GUILD_ID)},
            "context": 0,
            "attachment_size_limit": 8 * 1024 * 1024,
        }

    def _command_data(self, name: str, options: list[JSON]) -> JSON:
        registered = next((c for c in self.commands if c["name"] == name), None)
        return {
            "id": registered["id"] if registered else str(self.next_id()),
            "name": name,
            "type": 1,
            "guild_id": str(GUILD_ID),
            "options": options,
        }

    async def slash_command(
        self,
        name: str,
        *,
        user_id: int,
        subcommand: str | None = None,
        options: dict[str, str | int] | None = None,
        channel_id: int = GENERAL_CHANNEL,
    ) -> JSON:
        """A member runs `/name [subcommand] option:value ...`; returns the interaction
        payload sent. Integers go as integer options (type 4), the rest as strings."""
        given = [
            {"name": key, "type": 4 if isinstance(value, int) else 3, "value": value}
            for key, value in (options or {}).items()
        ]
        if subcommand is not None:
            given = [{"name": subcommand, "type": 1, "options": given}]
        payload = self._interaction(
            user_id=user_id, kind=2, data=self._command_data(name, given), channel_id=channel_id
        )
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def autocomplete(self, name: str, *, user_id: int, option: str, current: str) -> JSON:
        options = [{"name": option, "type": 3, "value": current, "focused": True}]
        data = self._command_data(name, options)
        payload = self._interaction(user_id=user_id, kind=4, data=data, channel_id=GENERAL_CHANNEL)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def submit_modal(self, modal: JSON, *, user_id: int, values: dict[str, str]) -> JSON:
        """Submit a modal the bot opened (its callback `data`), filling text inputs by custom_id."""
        rows = []
        for row in modal["components"]:
            inner = row.get("components") or [row.get("component")]
            rows.append(
                {
                    "type": 1,
                    "components": [
                        {"type": 4, "custom_id": c["custom_id"], "value": values[c["custom_id"]]}
                        for c in inner
                        if c and c.get("type") == 4
                    ],
                }
            )
        payload = self._interaction(
            user_id=user_id,
            kind=5,
            data={"custom_id": modal["custom_id"], "components": rows},
            channel_id=GENERAL_CHANNEL,
        )
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    def _set_reaction(self, message_id: int, user_id: int, emoji: str, *, added: bool) -> None:
        message = self.messages.get(message_id)
        if message is None:
            return
        users = message.reactions.setdefault(emoji, [])
        if added and user_id not in users:
            users.append(user_id)
        elif not added and user_id in users:
            users.remove(user_id)
        if not users:
            del message.reactions[emoji]

    async def react(
        self,
        *,
        message_id: int,
        user_id: int,
        emoji: str,
        channel_id: int = REVIEW_CHANNEL,
        live: bool = True,
    ) -> None:
        """A member reacts; `live=False`: while the bot is away (no event reaches it)."""
        self._set_reaction(message_id, user_id, emoji, added=True)
        if not live:
            return
        await self.dispatch(
            "MESSAGE_REACTION_ADD",
            {
                "user_id": str(user_id),
                "channel_id": str(channel_id),
                "message_id": str(message_id),
                "guild_id": str(GUILD_ID),
                "emoji": {"id": None, "name": emoji},
                "member": self.member(user_id),
                "message_author_id": str(BOT_ID),
                "type": 0,
                "burst": False,
                "burst_colors": [],
            },
        )

    async def unreact(
        self,
        *,
        message_id: int,
        user_id: int,
        emoji: str,
        channel_id: int = REVIEW_CHANNEL,
        live: bool = True,
    ) -> None:
        self._set_reaction(message_id, user_id, emoji, added=False)
        if not live:
            return
        # Discord sends no member with a removal: the bot must look the roles up itself.
        await self.dispatch(
            "MESSAGE_REACTION_REMOVE",
            {
                "user_id": str(user_id),
                "channel_id": str(channel_id),
                "message_id": str(message_id),
                "guild_id": str(GUILD_ID),
                "emoji": {"id": None, "name": emoji},
                "type": 0,
                "burst": False,
            },
        )

    def fail_next(self, method: str, pattern: str, status: int = 500) -> None:
        """The next request matching `method` and the path `pattern` answers `status`,
        as Discord's edge does in an outage."""
        self._failing.append((method, pattern, status))

    def hold_next(self, method: str, pattern: str) -> None:
        """The next request matching `method` and the path `pattern` is done, but its
        answer never comes (until the fake stops): a request in flight at a kill."""
        self._holding.append((method, pattern))

    async def drop_connection(self) -> None:
        """Close the gateway connection as Discord does when it moves a session: the bot
        reconnects and RESUMEs (answered with RESUMED)."""
        for session in list(self._sockets):
            await session.ws.close(code=4000, message=b"moved")

    async def redeliver_last(self) -> None:
        """Send the last dispatch again with its sequence number, as a gateway RESUME does."""
        for session in [s for s in self._sockets if s.ready]:
            await session.resend_last()

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send a dispatch (op 0) to every identified connection."""
        live = [s for s in self._sockets if s.ready]
        if not live:
            raise RuntimeError("no bot is connected to the fake gateway")
        for session in live:
            await session.send_dispatch(event, data)

    # --- gateway ------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        session = _Session(ws=ws, session_id=f"fake-session-{self.next_id()}")
        self._sockets.append(session)
        try:
            await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                if frame["op"] == 1:
                    await ws.send_str(json.dumps({"op": 11}))
                elif frame["op"] == 2:
                    self.identifies.append(frame["d"])
                    await self._ready(session)
                elif frame["op"] == 6:
                    self.resumes.append(frame["d"])
                    session.seq = int(frame["d"].get("seq") or 0)
                    await session.send_dispatch("RESUMED", {})
                    session.ready = True
        finally:
            self._sockets.remove(session)
        return ws

    async def _ready(self, session: _Session) -> None:
        await session.send_dispatch(
            "READY",
            {
                "v": 10,
                "user": self.users[BOT_ID],
                "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
                "session_id": session.session_id,
                "resume_gateway_url": self.gateway_url,
                "application": {"id": str(APP_ID), "flags": 0},
                "private_channels": [],
                "relationships": [],
            },
        )
        await session.send_dispatch("GUILD_CREATE", self.guild())
        session.ready = True
        async with self._changed:
            self._changed.notify_all()

    # --- REST ---------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body: Any = None
        files: list[tuple[str, bytes]] = []
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                data = await part.read()  # type: ignore[union-attr]
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(data)
                else:
                    files.append((part.filename or "", bytes(data)))  # type: ignore[union-attr]
        elif request.can_read_body:
            raw = await request.read()
            body = json.loads(raw) if raw else None
        call = RestCall(
            method=request.method,
            path=unquote(path),
            query=dict(request.query),
            body=body,
            files=tuple(files),
            authorization=request.headers.get("Authorization"),
        )
        self.calls.append(call)
        for failing in self._failing:
            if failing[0] == call.method and re.fullmatch(failing[1], call.path):
                self._failing.remove(failing)
                return _json({"message": "500: Internal Server Error", "code": 0}, failing[2])
        held = next(
            (h for h in self._holding if h[0] == call.method and re.fullmatch(h[1], call.path)),
            None,
        )
        try:
            if call.path.startswith(("/interactions/", "/webhooks/")):
                response = self._route_interaction(call)
            elif call.authorization != f"Bot {self.token}":
                response = _json({"message": "401: Unauthorized", "code": 0}, status=401)
            else:
                response = self._route(call)
        finally:
            async with self._changed:
                self._changed.notify_all()
        if held is not None:
            self._holding.remove(held)
            await self._closing.wait()
        return response

    def _route(self, call: RestCall) -> web.Response:
        m, p, b = call.method, call.path, call.body or {}
        if m == "GET" and p == "/users/@me":
            return _json(self.users[BOT_ID])
        if m == "GET" and p == "/oauth2/applications/@me":
            return _json(self._application())
        if m == "GET" and p in ("/gateway", "/gateway/bot"):
            return _json({"url": self.gateway_url, "shards": 1})
        if m == "PUT" and (
            re.fullmatch(r"/applications/\d+/guilds/\d+/commands", p)
            or re.fullmatch(r"/applications/\d+/commands", p)
        ):
            self.commands = [self._registered(c) for c in call.body or []]
            return _json(self.commands)
        if (match := re.fullmatch(r"/channels/(\d+)/messages", p)) and m == "POST":
            return self._create_message(int(match[1]), b)
        if match := re.fullmatch(r"/channels/(\d+)/messages/(\d+)", p):
            stored = self.messages.get(int(match[2]))
            if stored is None:
                return _json({"message": "Unknown Message", "code": 10008}, status=404)
            if m == "PATCH":
                stored.edits.append(b)
                stored.content = b.get("content", stored.content) or ""
                stored.embeds = b.get("embeds", stored.embeds) or []
                stored.allowed_mentions = b.get("allowed_mentions", stored.allowed_mentions)
            if m in ("PATCH", "GET"):
                return _json(self._message_payload(stored))
        reaction = re.fullmatch(r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me", p)
        if reaction and m == "PUT":
            self.reactions.append((int(reaction[1]), int(reaction[2]), reaction[3]))
            self._set_reaction(int(reaction[2]), BOT_ID, reaction[3], added=True)
            return web.Response(status=204)
        reactors = re.fullmatch(r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)", p)
        if reactors and m == "GET":
            return self._reactors(int(reactors[2]), reactors[3], call.query)
        if (match := re.fullmatch(r"/channels/(\d+)", p)) and m == "GET":
            if int(match[1]) in self.hidden_channels:
                return _json({"message": "Missing Access", "code": 50001}, status=403)
            if int(match[1]) in self.missing_channels:
                return _json({"message": "Unknown Channel", "code": 10003}, status=404)
            return _json(self.channel(int(match[1])))
        if match := re.fullmatch(r"/guilds/(\d+)(/roles)?", p):
            if int(match[1]) != GUILD_ID:
                return _json({"message": "Unknown Guild", "code": 10004}, status=404)
            guild = self.guild()
            return _json(guild["roles"] if match[2] else guild)
        if m == "GET" and re.fullmatch(r"/applications/\d+/guilds/\d+/commands", p):
            return _json(self.commands)
        if m == "POST" and p == "/users/@me/channels":
            user_id = int(b["recipient_id"])
            channel_id = next((c for c, u in self.dm_channels.items() if u == user_id), None)
            if channel_id is None:
                channel_id = self.next_id()
                self.dm_channels[channel_id] = user_id
            return _json(self.channel(channel_id))
        if match := re.fullmatch(r"/guilds/(\d+)/members/(\d+)", p):
            user_id = int(match[2])
            if m == "GET" and user_id in self.users:
                return _json(self.member(user_id))
            return _json({"message": "Unknown Member", "code": 10007}, status=404)
        user = re.fullmatch(r"/users/(\d+)", p)
        if user and m == "GET" and int(user[1]) in self.users:
            return _json(self.users[int(user[1])])
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    def _route_interaction(self, call: RestCall) -> web.Response:
        m, p, b = call.method, call.path, call.body or {}
        if match := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", p):
            interaction_id = int(match[1])
            self.callbacks[interaction_id] = b
            reply: JSON = {"interaction": {"id": str(interaction_id), "type": 2}}
            if b.get("type") == 5:
                reply["interaction"]["response_message_loading"] = True
                reply["interaction"]["response_message_ephemeral"] = bool(
                    (b.get("data") or {}).get("flags", 0) & 64
                )
            return _json(reply)
        if (match := re.fullmatch(r"/webhooks/(\d+)/([^/]+)", p)) and m == "POST":
            return self._followup(token=match[2], body=b)
        if match := re.fullmatch(r"/webhooks/(\d+)/([^/]+)/messages/@original", p):
            if m == "DELETE":
                self.deleted_originals.append(match[2])
                return web.Response(status=204)
            return self._followup(token=match[2], body=b)
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    def _followup(self, *, token: str, body: JSON) -> web.Response:
        """A follow-up or an edit of the original reply: recorded under its interaction token
        and answered as a message in the general channel (never stored as a channel post)."""
        self.followups.setdefault(token, []).append(body)
        message = FakeMessage(
            id=self.next_id(),
            channel_id=GENERAL_CHANNEL,
            author_id=BOT_ID,
            content=body.get("content") or "",
            embeds=body.get("embeds") or [],
            allowed_mentions=body.get("allowed_mentions"),
        )
        return _json(self._message_payload(message))

    def _application(self) -> JSON:
        return {
            "id": str(APP_ID),
            "name": "postgate",
            "description": "",
            "icon": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "owner": {"id": "1", "username": "owner", "discriminator": "0", "avatar": None},
            "verify_key": "0" * 64,
            "flags": 0,
            "summary": "",
            "team": None,
            "interactions_endpoint_url": None,
        }

    def _registered(self, command: JSON) -> JSON:
        return {
            **command,
            "id": str(self.next_id()),
            "application_id": str(APP_ID),
            "guild_id": str(GUILD_ID),
            "version": "1",
            "type": command.get("type", 1),
            "default_member_permissions": None,
            "dm_permission": False,
            "nsfw": False,
            "options": command.get("options", []),
        }

    def _create_message(self, channel_id: int, body: JSON) -> web.Response:
        if self.dm_channels.get(channel_id) in self.dm_forbidden:
            # As Discord does: the DM channel opens, the message is refused.
            return _json(
                {"message": "Cannot send messages to this user", "code": 50007}, status=403
            )
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            # As Discord does (for a few minutes): the same nonce from the same author
            # in the same channel gets the message already made, not a second one.
            for earlier in self.messages.values():
                if earlier.channel_id == channel_id and earlier.nonce == str(nonce):
                    return _json(self._message_payload(earlier))
        message = FakeMessage(
            id=self.next_id(),
            channel_id=channel_id,
            author_id=BOT_ID,
            content=body.get("content") or "",
            embeds=body.get("embeds") or [],
            allowed_mentions=body.get("allowed_mentions"),
            message_reference=body.get("message_reference"),
            nonce=None if nonce is None else str(nonce),
        )
        self.messages[message.id] = message
        return _json(self._message_payload(message))

    def _reactors(self, message_id: int, emoji: str, query: dict[str, str]) -> web.Response:
        """A page of the users who reacted with `emoji`, by id, after `after`."""
        message = self.messages.get(message_id)
        if message is None:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        after = int(query.get("after") or 0)
        users = sorted(u for u in message.reactions.get(emoji, []) if u > after)
        return _json([self.users[u] for u in users[: int(query.get("limit") or 25)]])

    def _message_payload(self, message: FakeMessage) -> JSON:
        payload: JSON = {
            "id": str(message.id),
            "channel_id": str(message.channel_id),
            "type": 0,
            "content": message.content,
            "author": self.users[message.author_id],
            "embeds": message.embeds,
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": JOINED,
            "edited_timestamp": JOINED if message.edits else None,
            "flags": 0,
            "components": [],
        }
        if message.reactions:
            payload["reactions"] = [
                {
                    "emoji": {"id": None, "name": emoji},
                    "count": len(users),
                    "count_details": {"burst": 0, "normal": len(users)},
                    "me": BOT_ID in users,
                    "me_burst": False,
                    "burst_colors": [],
                }
                for emoji, users in message.reactions.items()
            ]
        if message.channel_id not in self.dm_channels:
            payload["guild_id"] = str(GUILD_ID)
        return payload


@dataclass
class _Session:
    ws: web.WebSocketResponse
    session_id: str
    seq: int = 0
    ready: bool = False
    last: str = ""

    async def send_dispatch(self, event: str, data: JSON) -> None:
        self.seq += 1
        self.last = json.dumps({"op": 0, "t": event, "s": self.seq, "d": data})
        await self.ws.send_str(self.last)

    async def resend_last(self) -> None:
        await self.ws.send_str(self.last)


def _json(payload: Any, *, status: int = 200) -> web.Response:
    # discord.py parses a body only when Content-Type is exactly application/json.
    return web.Response(
        body=json.dumps(payload).encode(), status=status, content_type="application/json"
    )
