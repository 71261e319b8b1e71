"""Slack delivery as members feel it: the ack, and `/propose` to its review card.

Rounds of twenty members on loopback sending a signed `/propose` at the same moment
(each its own), the next round once every card of this one is posted, to each of:

- postgate's Slack platform in HTTP mode, started as the runtime starts it, on a
  fresh database: a SQLite file, then a PostgreSQL database (`--postgresql URL`;
  the local server by default, `--no-postgresql` to skip it);
- the baseline, measured in the same run: a bare slack-bolt AsyncApp whose
  `/propose` listener acks and whose lazy listener posts the text as the card (bolt
  and the Web API alone: no checker, no database).

The fake Slack runs in this process, so a card is timed on the same clock as the
request that asked for it; each server runs in a child process.
Targets: ack p99 < 100 ms, and `/propose` to card posted p99 < 1 s.

    .venv/bin/python benchmarks/slack_delivery.py [--requests 400] [--concurrency 20]
        [--postgresql URL | --no-postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.slack_api import FakeCall, FakeSlack  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
REVIEW = "CREVIEW"
DRAFT = "Come and help at our street stall on Saturday morning in the town square, number {n}."
NUMBER = re.compile(r"town square, number (\d+)\.")
WARM_UP = 40
ACK_TARGET_MS, CARD_TARGET_MS = 100.0, 1000.0


# -- servers (each in a child process) --------------------------------------------------
async def _serve_until_stdin_closes(port: int) -> None:
    print(f"PORT {port}", flush=True)
    loop = asyncio.get_running_loop()
    while await loop.run_in_executor(None, sys.stdin.readline):
        pass


@contextlib.contextmanager
def _database(postgresql: str) -> Iterator[str]:
    """A fresh database: a temporary SQLite file, or a PostgreSQL database made on the
    server at `postgresql` and dropped afterwards."""
    if not postgresql:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from storage.urls import sync_url

    name = f"postgate_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(sync_url(postgresql), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgresql).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


async def serve_postgate(api_url: str, port: int, postgresql: str = "") -> None:
    from bot.assembly import build_services
    from bot.platforms.slack.platform import create_platform
    from bot.settings import load_settings
    from storage.migrate import upgrade

    with _database(postgresql) as url:
        upgrade(url)
        settings = load_settings(
            DATABASE_URL=url,
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=api_url,
            POSTGATE_PORT=port,
            SLACK_REVIEW_CHANNEL=REVIEW,
            SLACK_APPROVED_CHANNEL="CAPPROVED",
            SLACK_EDITORS="UEDITOR",
        )
        services = build_services(settings)
        platform = create_platform(settings, services, host="127.0.0.1")
        await platform.start()
        try:
            await _serve_until_stdin_closes(port)
        finally:
            await platform.stop()
            await services.db.dispose()


async def serve_bare(api_url: str, port: int) -> None:
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.app.async_app import AsyncApp
    from slack_bolt.context.ack.async_ack import AsyncAck
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(
        client=AsyncWebClient(token=TOKEN, base_url=api_url),
        signing_secret=SECRET,
        process_before_response=True,
    )

    async def ack_only(ack: AsyncAck) -> None:
        await ack()

    async def post_card(body: dict[str, Any], client: AsyncWebClient) -> None:
        await client.chat_postMessage(channel=REVIEW, text=str(body["text"]))

    app.command("/propose")(ack=ack_only, lazy=[post_card])

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        await _serve_until_stdin_closes(port)
    finally:
        await runner.cleanup()


class Server:
    """A server in a child process of this one."""

    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self.process = process
        self.port = port

    @classmethod
    async def start(cls, *args: str) -> Server:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--serve",
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=str(ROOT),
        )
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=120)
        if not line.startswith(b"PORT "):
            raise SystemExit(f"a benchmark server failed to start: {line!r}")
        return cls(process, int(line.split()[1]))

    async def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), timeout=30)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the fake Slack, timing cards --------------------------------------------------------
@dataclass(slots=True)
class TimedSlack(FakeSlack):
    """The fake Slack, noting when each numbered draft's card reaches the review channel."""

    cards: dict[int, asyncio.Future[float]] = field(default_factory=dict)

    async def _record(self, call: FakeCall) -> None:
        if call.method == "chat.postMessage" and call.params.get("channel") == REVIEW:
            found = NUMBER.search(json.dumps(call.params))
            waiting = self.cards.get(int(found[1])) if found else None
            if waiting is not None and not waiting.done():
                waiting.set_result(time.perf_counter())
        # Not kept: thousands of calls would only grow the list the tests read.


# -- the load ----------------------------------------------------------------------------
def signed_propose(n: int) -> tuple[bytes, dict[str, str]]:
    from slack_sdk.signature import SignatureVerifier

    body = urlencode(
        {
            "team_id": "T0POSTGATE",
            "api_app_id": "A0POSTGATE",  # the fake Slack's app: anything else is refused
            "channel_id": "CGENERAL",
            "user_id": f"UMEMBER{n % 50:03d}",
            "user_name": f"member{n % 50}",
            "command": "/propose",
            "text": DRAFT.format(n=n),
            "response_url": "",
            "trigger_id": f"{n}.trigger",
        }
    )
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
    assert signature is not None
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
    }
    return body.encode(), headers


@dataclass
class Latencies:
    acks: list[float] = field(default_factory=list)  # ms
    cards: list[float] = field(default_factory=list)  # ms


async def rounds(fake: TimedSlack, url: str, numbers: range, *, concurrency: int) -> Latencies:
    """The numbered /propose in rounds of `concurrency` sent at once (each from its own
    member); a round starts when every card of the last one is up."""
    result = Latencies()
    loop = asyncio.get_running_loop()

    async def member(session: aiohttp.ClientSession, n: int) -> None:
        body, headers = signed_propose(n)
        card = fake.cards[n] = loop.create_future()
        start = time.perf_counter()
        async with session.post(url, data=body, headers=headers) as response:
            await response.read()
            if response.status != 200:
                raise SystemExit(f"/propose {n} was answered {response.status}")
        result.acks.append((time.perf_counter() - start) * 1000)
        try:
            posted = await asyncio.wait_for(card, timeout=60)
        except TimeoutError:
            raise SystemExit(f"the card of /propose {n} never came") from None
        result.cards.append((posted - start) * 1000)
        del fake.cards[n]

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as s:
        for first in range(numbers.start, numbers.stop, concurrency):
            batch = range(first, min(first + concurrency, numbers.stop))
            await asyncio.gather(*(member(s, n) for n in batch))
    return result


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def line(name: str, values: list[float]) -> str:
    q = statistics.quantiles(values, n=100)
    return (
        f"  {name:<34} p50 {q[49]:7.1f} ms  p90 {q[89]:7.1f} ms  p99 {q[98]:7.1f} ms  "
        f"max {max(values):7.1f} ms"
    )


async def measure(
    fake: TimedSlack, args: tuple[str, ...], *, requests: int, concurrency: int
) -> Latencies:
    server = await Server.start(*args)
    try:
        url = f"http://127.0.0.1:{server.port}/slack/events"
        await rounds(fake, url, range(WARM_UP), concurrency=concurrency)
        return await rounds(fake, url, range(WARM_UP, WARM_UP + requests), concurrency=concurrency)
    finally:
        await server.stop()


async def main(requests: int, concurrency: int, postgresql: str) -> bool:
    backends = [("SQLite", "")] + ([("PostgreSQL", postgresql)] if postgresql else [])
    print(
        f"{requests} signed /propose per app, in rounds of {concurrency} at once on loopback; "
        f"{os.cpu_count()} cores, load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    met = True
    async with TimedSlack() as fake:
        for database, url in backends:
            bare = await measure(
                fake,
                ("bare", fake.api_url, str(free_port())),
                requests=requests,
                concurrency=concurrency,
            )
            ours = await measure(
                fake,
                ("postgate", fake.api_url, str(free_port()), url),
                requests=requests,
                concurrency=concurrency,
            )
            print(f"{database}:")
            print(line("ack, bare bolt app", bare.acks))
            print(line("ack, postgate", ours.acks))
            print(line("/propose to card, bare bolt app", bare.cards))
            print(line("/propose to card, postgate", ours.cards))
            ack_ok, card_ok = p99(ours.acks) < ACK_TARGET_MS, p99(ours.cards) < CARD_TARGET_MS
            print(
                f"  targets: ack p99 < {ACK_TARGET_MS:.0f} ms {'met' if ack_ok else 'NOT met'}; "
                f"card p99 < {CARD_TARGET_MS:.0f} ms {'met' if card_ok else 'NOT met'}"
            )
            met = met and ack_ok and card_ok
    print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return met


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    if len(sys.argv) > 2 and sys.argv[1] == "--serve":
        kind, *rest = sys.argv[2:]
        if kind == "postgate":
            asyncio.run(serve_postgate(rest[0], int(rest[1]), *rest[2:]))
        else:
            asyncio.run(serve_bare(rest[0], int(rest[1])))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument(
        "--postgresql",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        metavar="URL",
        help="the PostgreSQL server to make a fresh database on (default: the local one)",
    )
    parser.add_argument("--no-postgresql", action="store_true", help="measure SQLite only")
    args = parser.parse_args()
    ok = asyncio.run(
        main(args.requests, args.concurrency, "" if args.no_postgresql else args.postgresql)
    )
    sys.exit(0 if ok else 1)
