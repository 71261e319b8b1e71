"""A local stand-in for the Slack Web API (and a Socket Mode websocket), over real HTTP.

It listens on 127.0.0.1 with an ephemeral port, records every call it gets, and answers
the methods postgate uses with Slack-shaped JSON. Point `SLACK_API_URL` at `api_url`.

- `calls` holds every call in order (`FakeCall(method, params)`); `calls_to(name)` filters.
- `fail_next("conversations.open", "cannot_dm_bot")` makes the next call fail.
- `rate_limit_once("chat.postMessage")` makes the next call to that method answer 429 with
  `Retry-After: 0`, as Slack does when a tier's limit is hit.
- `response_url(key)` gives a URL to put in a slash command's `response_url`; what the app
  posts there is recorded as a call to `response_url`.
- Files: `files.getUploadURLExternal` answers with an `upload_url` on this fake; the bytes
  POSTed there are recorded as a call to `upload`; `files.completeUploadExternal` shares
  them, and each shared file lands in `files` (`FakeFile`: name, title, size, bytes,
  channel, thread, comment).
- `fail_http("auth.test", 500)` makes the next call answer that HTTP status with an HTML
  page (not JSON), as Slack's edge does in an outage; `outage(method, times=N)` the next
  N calls, with 500 or with 429 and a `Retry-After`; `end_outage(method)` ends it early
  (an outage window: open it with a large N, end it when the window closes).
- `lose_answers(method)`: Slack does the next call (a message is posted) but the answer
  never arrives: the connection drops, or with `hang=True` the answer never comes.
- Messages posted are kept per channel (`messages(channel)`), updated by `chat.update`,
  and read back newest first by `conversations.history`, with their `metadata` only when
  `include_all_metadata` is true, as Slack does.
- Every answer carries Slack's `x-oauth-scopes` header: the token's scopes (`scopes`).
- `conversations.info` says `is_member` false for the ids in `outside_channels` and
  `channel_not_found` for those in `missing_channels`; `users.info` answers
  `user_not_found` for the ids in `missing_users`.
- Reactions: `set_reaction(...)` is a member adding (or taking back) a reaction, which
  `reactions.get` then shows (send the event yourself when postgate should hear of
  it); the app's own `reactions.add` shows there too. `slow("reactions.get", 1.0)`
  answers that method late, with what stood when it was asked.
- Socket Mode: `apps.connections.open` answers with a `ws://` URL served here; the fake sends
  `{"type": "hello"}` on connect. `send_envelope(...)` pushes an envelope to the connected
  app and `wait_ack(envelope_id)` returns the app's acknowledgement; `disconnect()` asks
  the app to reconnect, as Slack does every few hours.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from aiohttp import WSMsgType, web

BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
APP_ID = "A0POSTGATE"
TEAM_ID = "T0POSTGATE"


@functools.cache
def _manifest_scopes() -> tuple[str, ...]:
    # Read once: parsing the manifest on every answer made the fake slower than the app.
    manifest = Path(__file__).parents[2] / "slack" / "manifest.yml"
    loaded = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    return tuple(loaded["oauth_config"]["scopes"]["bot"])


@dataclass(frozen=True, slots=True)
class FakeCall:
    method: str
    params: dict[str, Any]
    token: str | None = None


@dataclass(frozen=True, slots=True)
class FakeFile:
    """A file the app uploaded and shared: what Slack would show in the channel."""

    id: str
    filename: str
    title: str
    length: int  # what the app announced in files.getUploadURLExternal
    content: bytes  # what it actually POSTed to the upload URL
    channel: str
    thread_ts: str | None
    initial_comment: str | None


@dataclass(slots=True)
class FakeSlack:
    """The stand-in. Use `async with FakeSlack() as fake:`."""

    team_id: str = TEAM_ID
    usergroups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    user_names: dict[str, str] = field(default_factory=dict)
    calls: list[FakeCall] = field(default_factory=list)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: list[FakeFile] = field(default_factory=list)
    _pending_files: dict[str, dict[str, Any]] = field(default_factory=dict)
    _rate_limited: set[str] = field(default_factory=set)
    _failing: dict[str, str] = field(default_factory=dict)
    _failing_http: dict[str, int] = field(default_factory=dict)
    _outages: dict[str, list[tuple[int, int | None]]] = field(default_factory=dict)
    _losing: dict[str, bool] = field(default_factory=dict)  # method -> hang
    posted: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    scopes: tuple[str, ...] | None = None  # None: every scope the manifest asks for
    outside_channels: set[str] = field(default_factory=set)
    missing_channels: set[str] = field(default_factory=set)
    missing_users: set[str] = field(default_factory=set)
    channel_members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    _port: int = 0
    _ts: Callable[[], int] = field(default_factory=lambda: itertools.count(1).__next__)
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _changed: asyncio.Condition | None = None
    # (channel, ts) -> emoji name -> user ids, in the order they reacted
    reactions: dict[tuple[str, str], dict[str, list[str]]] = field(default_factory=dict)
    _slow: dict[str, float] = field(default_factory=dict)
    _closing: asyncio.Event = field(default_factory=asyncio.Event)  # ends held answers

    # -- life cycle ------------------------------------------------------------------
    async def __aenter__(self) -> FakeSlack:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        self._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/commands/{team}/{command_id}/{key}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        self._port = int(sockets[0].getsockname()[1])

    async def close(self) -> None:
        self._closing.set()  # a held answer's client is gone: the server need not wait
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- addresses -------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        """What `SLACK_API_URL` should be (Slack's own is `https://slack.com/api/`)."""
        return f"{self.base_url}/api/"

    def response_url(self, key: str = "cmd") -> str:
        """Slack's shape, https://hooks.slack.com/commands/TEAM/ID/TOKEN, with `key` as
        the token: the whole URL is a bearer credential."""
        return f"{self.base_url}/commands/{self.team_id}/{self._ts()}/{key}"

    # -- test controls -----------------------------------------------------------------
    def rate_limit_once(self, method: str) -> None:
        self._rate_limited.add(method)

    def fail_next(self, method: str, error: str) -> None:
        """The next call to `method` answers `{"ok": false, "error": error}` (HTTP 200)."""
        self._failing[method] = error

    def fail_http(self, method: str, status: int) -> None:
        """The next call to `method` answers HTTP `status` with an HTML page."""
        self._failing_http[method] = status

    def outage(
        self, method: str, *, times: int, status: int = 500, retry_after: int | None = None
    ) -> None:
        """The next `times` calls to `method` fail: HTTP 500 (an HTML page) or 429."""
        self._outages.setdefault(method, []).extend([(status, retry_after)] * times)

    def end_outage(self, method: str) -> None:
        """The outage of `method` is over: its next call is answered again."""
        self._outages.pop(method, None)

    def lose_answers(self, method: str, *, hang: bool = False) -> None:
        """The next call to `method` is done, but its answer is lost."""
        self._losing[method] = hang

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The messages in a channel, oldest first (thread replies included)."""
        return self.posted.get(channel, [])

    def set_reaction(
        self, *, channel: str, ts: str, user: str, emoji: str, added: bool = True
    ) -> None:
        users = self.reactions.setdefault((channel, ts), {}).setdefault(emoji, [])
        if added and user not in users:
            users.append(user)
        elif not added and user in users:
            users.remove(user)

    def slow(self, method: str, seconds: float) -> None:
        self._slow[method] = seconds

    async def disconnect(self) -> None:
        await self._sockets[-1].send_str(
            json.dumps({"type": "disconnect", "reason": "refresh_requested"})
        )

    def calls_to(self, method: str) -> list[FakeCall]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(
        self, predicate: Callable[[list[FakeCall]], bool], *, within: float = 5.0
    ) -> list[FakeCall]:
        """Wait (bounded) until `predicate(calls)` holds; the calls, or TimeoutError."""
        await self._wait_until(lambda: predicate(self.calls), within)
        return self.calls

    async def _wait_until(self, check: Callable[[], bool], within: float) -> None:
        assert self._changed is not None
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(check)

    async def _changed_now(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    async def wait_calls(
        self, method: str, count: int = 1, *, within: float = 5.0
    ) -> list[FakeCall]:
        await self.wait_for(
            lambda calls: len([c for c in calls if c.method == method]) >= count, within=within
        )
        return self.calls_to(method)

    async def settle(self, *, quiet: float = 0.3, within: float = 5.0) -> None:
        """Wait until no call has arrived for `quiet` seconds (to assert that nothing more came)."""
        deadline = time.monotonic() + within
        seen = -1
        while time.monotonic() < deadline and seen != len(self.calls):
            seen = len(self.calls)
            await asyncio.sleep(quiet)

    async def _record(self, call: FakeCall) -> None:
        assert self._changed is not None
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    # -- Socket Mode --------------------------------------------------------------------
    async def wait_connected(self, *, within: float = 5.0) -> None:
        await self._wait_until(lambda: bool(self._sockets), within)

    async def send_envelope(
        self,
        *,
        type: str,
        payload: Mapping[str, Any],
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Push one envelope to the connected app; returns its envelope_id."""
        envelope_id = uuid.uuid4().hex
        envelope = {
            "envelope_id": envelope_id,
            "type": type,
            "payload": dict(payload),
            "accepts_response_payload": type != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        await self._sockets[-1].send_str(json.dumps(envelope))
        return envelope_id

    async def wait_ack(self, envelope_id: str, *, within: float = 5.0) -> dict[str, Any]:
        await self._wait_until(lambda: envelope_id in self.acks, within)
        return self.acks[envelope_id]

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await self._changed_now()
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    data = json.loads(msg.data)
                    if "envelope_id" in data:
                        self.acks[data["envelope_id"]] = data
                        await self._changed_now()
        finally:
            self._sockets.remove(ws)
        return ws

    # -- Web API -----------------------------------------------------------------------
    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self._record(FakeCall("response_url", {"key": request.match_info["key"], **body}))
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        """Where `upload_url` points: the file's bytes, as Slack's upload host takes them."""
        file_id = request.match_info["file_id"]
        content = await request.read()
        auth = request.headers.get("Authorization", "")
        await self._record(
            FakeCall(
                "upload",
                {"file_id": file_id, "content": content, "size": len(content)},
                auth.removeprefix("Bearer ") if auth else None,
            )
        )
        pending = self._pending_files.get(file_id)
        if pending is None:
            return web.Response(status=404, text="unknown upload")
        pending["content"] = content
        return web.Response(text=f"OK - {len(content)}")

    def _complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel_id") or "")
        shared: list[dict[str, Any]] = []
        for item in json.loads(str(params.get("files", "[]"))):
            pending = self._pending_files.pop(str(item.get("id")), None)
            if pending is None or "content" not in pending:
                return {"ok": False, "error": "file_not_found"}
            done = FakeFile(
                id=str(item["id"]),
                filename=pending["filename"],
                title=str(item.get("title") or pending["filename"]),
                length=pending["length"],
                content=pending["content"],
                channel=channel,
                thread_ts=params.get("thread_ts") or None,
                initial_comment=params.get("initial_comment") or None,
            )
            self.files.append(done)
            shared.append(
                {"id": done.id, "name": done.filename, "title": done.title, "size": done.length}
            )
        return {"ok": True, "files": shared}

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(dict(await request.post()))
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth else params.pop("token", None)
        await self._record(FakeCall(method, params, token))
        if method in self._rate_limited:
            self._rate_limited.discard(method)
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "0"}
            )
        if self._outages.get(method):
            status, wait = self._outages[method].pop(0)
            if status == 429:
                return web.json_response(
                    {"ok": False, "error": "ratelimited"},
                    status=429,
                    headers={"Retry-After": str(wait or 0)},
                )
            return web.Response(
                status=status, text="<html>Slack is having trouble</html>", content_type="text/html"
            )
        if method in self._failing_http:
            return web.Response(
                status=self._failing_http.pop(method),
                text="<html><body>Slack is having trouble</body></html>",
                content_type="text/html",
            )
        headers = {"x-oauth-scopes": ",".join(self._scopes())}
        if method in self._failing:
            return web.json_response(
                {"ok": False, "error": self._failing.pop(method)}, headers=headers
            )
        if method == "apps.connections.open" and not str(token or "").startswith("xapp-"):
            # As Slack does: only an app-level token opens a Socket Mode connection.
            return web.json_response({"ok": False, "error": "not_allowed_token_type"})
        answer = self._answer(method, params)
        await asyncio.sleep(self._slow.get(method, 0.0))
        if method in self._losing:
            if self._losing.pop(method):
                await self._closing.wait()  # the answer never comes
            assert request.transport is not None
            request.transport.close()  # done, but the connection drops before the answer
        return web.json_response(answer, headers=headers)

    def _scopes(self) -> tuple[str, ...]:
        return self.scopes if self.scopes is not None else _manifest_scopes()

    def _members(self, params: dict[str, Any]) -> dict[str, Any]:
        """A page of a channel's members; the cursor is where the next page starts."""
        channel = str(params.get("channel", ""))
        if channel not in self.channel_members:
            return {"ok": False, "error": "channel_not_found"}
        members = self.channel_members[channel]
        start = int(params.get("cursor") or 0)
        end = start + int(params.get("limit") or 100)
        following = str(end) if end < len(members) else ""
        return {
            "ok": True,
            "members": list(members[start:end]),
            "response_metadata": {"next_cursor": following},
        }

    def _history(self, params: dict[str, Any]) -> dict[str, Any]:
        """A channel's latest messages, newest first; metadata only when asked for."""
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("true", "1")
        limit = int(params.get("limit") or 100)
        latest = list(reversed(self.posted.get(str(params.get("channel", "")), [])))[:limit]
        shown = [
            {k: v for k, v in m.items() if with_metadata or k != "metadata"}
            for m in latest
            if m["thread_ts"] is None  # thread replies are read with conversations.replies
        ]
        return {"ok": True, "messages": shown, "has_more": False}

    def _reactions_on(self, channel: str, ts: str) -> dict[str, Any]:
        """As Slack answers reactions.get: the message, with `reactions` only when any."""
        message: dict[str, Any] = {"type": "message", "ts": ts, "bot_id": BOT_ID}
        standing = [
            {"name": name, "users": list(users), "count": len(users)}
            for name, users in self.reactions.get((channel, ts), {}).items()
            if users
        ]
        if standing:
            message["reactions"] = standing
        return {"ok": True, "type": "message", "channel": channel, "message": message}

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{self._ts():06d}"

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://postgate-test.slack.com/",
                "team": "Postgate Test",
                "user": "postgate",
                "team_id": self.team_id,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "bots.info":
            # Slack's answer for a bot that belongs to an app; the app id is learned here.
            if params.get("bot") != BOT_ID:
                return {"ok": False, "error": "bot_not_found"}
            return {
                "ok": True,
                "bot": {
                    "id": BOT_ID,
                    "deleted": False,
                    "name": "postgate",
                    "updated": 1767225600,
                    "app_id": APP_ID,
                    "user_id": BOT_USER_ID,
                    "icons": {},
                },
            }
        if method == "chat.postMessage":
            channel = str(params.get("channel", ""))
            ts = self._next_ts()
            metadata = params.get("metadata")
            self.posted.setdefault(channel, []).append(
                {
                    "ts": ts,
                    "text": params.get("text", ""),
                    "blocks": params.get("blocks"),
                    "thread_ts": params.get("thread_ts"),
                    "metadata": json.loads(metadata) if isinstance(metadata, str) else metadata,
                    "bot_id": BOT_ID,
                }
            )
            return {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "message": {"text": params.get("text", ""), "ts": ts, "bot_id": BOT_ID},
            }
        if method == "chat.update":
            for message in self.posted.get(str(params.get("channel")), []):
                if message["ts"] == params.get("ts"):
                    message.update(text=params.get("text", ""), blocks=params.get("blocks"))
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method == "conversations.history":
            return self._history(params)
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "reactions.add":
            self.set_reaction(
                channel=str(params.get("channel")),
                ts=str(params.get("timestamp")),
                user=BOT_USER_ID,
                emoji=str(params.get("name")),
            )
            return {"ok": True}
        if method == "reactions.get":
            return self._reactions_on(str(params.get("channel")), str(params.get("timestamp")))
        if method == "conversations.open":
            users = str(params.get("users", "U0"))
            return {"ok": True, "channel": {"id": "D" + users.split(",")[0].lstrip("U")}}
        if method == "conversations.info":
            channel = str(params.get("channel", ""))
            if channel in self.missing_channels:
                return {"ok": False, "error": "channel_not_found"}
            return {
                "ok": True,
                "channel": {
                    "id": channel,
                    "name": channel.lower(),
                    "is_channel": True,
                    "is_private": False,
                    "is_archived": False,
                    "is_member": channel not in self.outside_channels,
                },
            }
        if method == "conversations.members":
            return self._members(params)
        if method == "users.info" and str(params.get("user", "")) in self.missing_users:
            return {"ok": False, "error": "user_not_found"}
        if method == "users.info":
            user = str(params.get("user", ""))
            name = self.user_names.get(user, user.lower())
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "name": name,
                    "real_name": name.title(),
                    "profile": {"display_name": name, "real_name": name.title()},
                },
            }
        if method == "usergroups.users.list":
            group = str(params.get("usergroup", ""))
            if group not in self.usergroups:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": list(self.usergroups[group])}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V" + uuid.uuid4().hex[:8].upper()}}
        if method == "files.getUploadURLExternal":
            file_id = "F" + uuid.uuid4().hex[:10].upper()
            self._pending_files[file_id] = {
                "filename": str(params.get("filename", "")),
                "length": int(params.get("length", 0)),
            }
            upload_url = f"{self.base_url}/upload/{file_id}"
            return {"ok": True, "upload_url": upload_url, "file_id": file_id}
        if method == "files.completeUploadExternal":
            return self._complete_upload(params)
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self._port}/socket"}
        return {"ok": False, "error": "unknown_method"}
