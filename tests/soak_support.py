"""The soak: members on Slack and Discord at once, against a real `postgate run` that
is SIGKILLed and restarted at random moments while Slack's Web API has 500 and 429
windows. At the end, nothing acknowledged is lost and nothing is doubled.

One driver for both forms: tests/process/test_soak.py (short, in the suite, on each
test database) and benchmarks/soak.py (long: 500 proposals, 2,000 reactions, 5 kills).

What the members do, each proposal a script of its own, many at once:
- propose (a member, sometimes an editor), then the editors react: approve, reject,
  a race of an approval and a rejection, a request for changes answered by an edit,
  an edit while pending, a withdrawal, or nothing decisive;
- around that, noise: reactions by members who are not editors, an editor's own
  reaction on their own post, an approval taken back, redelivered events;
- reactions on a superseded card, made once the new card is up (they never count);
- `/idea` now and then.

A member whose command was not acknowledged (postgate was down) sends it again, as a
person would: a new command with a new token in its text. Slack redelivers an event
that was not acknowledged, with the same event id; Discord sends nothing while the
bot is away, and postgate reads the card's reactions back when it returns.

At the end, once the outbox has drained and no delivery is pending, the checks read
the fakes' messages and the database (`checks`): see `Findings`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import signal
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import aiohttp
from sqlalchemy import func, select

from storage.db import Database
from storage.models import (
    AuditEvent,
    Delivery,
    Idea,
    OutboxKind,
    OutboxMessage,
    Proposal,
    Revision,
    Vote,
)
from tests.fakes.discord_server import (
    APPROVED_CHANNEL as DISCORD_APPROVED,
)
from tests.fakes.discord_server import (
    EDITOR_ROLE,
    GUILD_ID,
    FakeDiscord,
)
from tests.fakes.discord_server import (
    REVIEW_CHANNEL as DISCORD_REVIEW,
)
from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID, FakeSlack
from tests.fakes.slack_harness import (
    APPROVED,
    BOT_TOKEN,
    REVIEW,
    SIGNING_SECRET,
    SlackSender,
    free_port,
    reaction_event,
)
from tests.process_support import child_env, postgate_command

DISCORD_TOKEN = "discord-token-for-the-soak"
SLACK_WORKSPACE = f"slack:{TEAM_ID}"
DISCORD_WORKSPACE = f"discord:{GUILD_ID}"
APPROVALS = 2  # so that one approval taken back is a real vote withdrawn
SLACK_EDITORS = tuple(f"UEDITOR0{i}" for i in range(1, 6))
SLACK_MEMBERS = tuple(f"UMEMBER{i:02d}" for i in range(1, 9))
DISCORD_EDITORS = tuple(880000000000000100 + i for i in range(1, 6))
DISCORD_MEMBERS = tuple(880000000000000200 + i for i in range(1, 9))
OUTAGE_METHODS = ("chat.postMessage", "chat.update", "reactions.add")
# (script, weight, final statuses it may end in once all its steps were acknowledged)
SCRIPTS: tuple[tuple[str, int, frozenset[str]], ...] = (
    ("approve", 25, frozenset({"approved"})),
    ("reject", 12, frozenset({"rejected"})),
    ("race", 13, frozenset({"approved", "rejected"})),
    ("changes", 15, frozenset({"approved"})),
    ("edit", 12, frozenset({"pending"})),
    ("withdraw", 11, frozenset({"withdrawn"})),
    ("open", 12, frozenset({"pending"})),
)
# The review card's title, and what each status makes it say.
CARD_TITLE = re.compile(r"Proposal (\d+) from ")
TITLE_ENDING = {
    "pending": ": waiting for an editor",
    "changes_requested": ": changes requested",
    "approved": ": APPROVED",
    "rejected": ": rejected",
    "withdrawn": ": withdrawn",
}
APPROVED_POST = re.compile(r"Ready to publish: proposal (\d+) from ")
NOTICES = {
    "approved": re.compile(r"approved your proposal (\d+)\."),
    "rejected": re.compile(r"rejected your proposal (\d+)\."),
    "changes_requested": re.compile(r"asked for changes to your proposal (\d+)\."),
}
TOKEN = re.compile(r"\(soak (\w+-\d+)\)")


@dataclass(frozen=True, slots=True)
class SoakPlan:
    proposals: int
    reactions: int  # reaction events to aim for, all scripts together
    kills: int
    outages: int  # Slack Web API windows, 500s and 429s in turn
    ideas: int
    seed: int = 17
    at_once: int = 12  # scripts running at the same time
    card_within: float = 60.0  # seconds a script waits for a card before it gives up
    settle_within: float = 90.0  # seconds to wait for the outbox to drain at the end


SHORT = SoakPlan(proposals=20, reactions=80, kills=2, outages=2, ideas=6, at_once=8)
LONG = SoakPlan(proposals=500, reactions=2000, kills=5, outages=8, ideas=40, at_once=16)


@dataclass
class Tracked:
    """A proposal as its member and the editors know it."""

    token: str
    platform: str
    author: str
    acked: bool
    script: str = ""
    expect: frozenset[str] = frozenset()
    completed: bool = False  # every step acknowledged
    # Reactions on a card once a newer revision's card was up: (revision, user, emoji).
    stale: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass
class Counts:
    proposals_sent: int = 0
    proposals_acked: int = 0
    commands: int = 0
    reactions: int = 0
    redelivered: int = 0
    ideas_acked: int = 0
    kills: int = 0
    windows_500: int = 0
    windows_429: int = 0
    stalled: int = 0


@dataclass
class SoakResult:
    plan: SoakPlan
    backend: str
    counts: Counts
    violations: list[str]
    wall: float
    drained: bool

    def summary(self) -> str:
        c = self.counts
        return (
            f"soak {self.backend}: {c.proposals_acked} proposals acknowledged "
            f"({c.proposals_sent} sent), {c.commands} commands, {c.reactions} reactions "
            f"({c.redelivered} redelivered), {c.ideas_acked} ideas, {c.kills} kills, "
            f"{c.windows_500 + c.windows_429} outage windows ({c.windows_500} of 500, "
            f"{c.windows_429} of 429), {c.stalled} scripts stalled, "
            f"violations={len(self.violations)}, wall {self.wall:.0f} s"
        )


class Side(Protocol):
    """One platform as its members use it."""

    name: str
    editors: tuple[str, ...]
    members: tuple[str, ...]
    approve: str
    reject: str
    changes: str

    async def command(self, user: str, name: str, text: str, number: int | None) -> bool: ...

    async def react(self, card: str, user: str, emoji: str, *, added: bool, again: bool) -> int:
        """React (or take it back); how many events were sent."""
        ...


class SlackSide:
    name = "slack"
    editors = SLACK_EDITORS
    members = SLACK_MEMBERS
    approve, reject, changes = "white_check_mark", "x", "pencil2"

    def __init__(self, fake: FakeSlack, sender: SlackSender) -> None:
        self.fake = fake
        self.sender = sender
        self._events = 0

    async def command(self, user: str, name: str, text: str, number: int | None) -> bool:
        command, _, sub = name.partition(" ")
        line = text if number is None else f"{sub} {number} {text}".strip()
        try:
            status, _ = await self.sender.command(
                text=line,
                user_id=user,
                command=f"/{command}",
                response_url=self.fake.response_url("soak"),
            )
        except (aiohttp.ClientError, OSError, TimeoutError):
            return False
        return status == 200

    async def react(self, card: str, user: str, emoji: str, *, added: bool, again: bool) -> int:
        self.fake.set_reaction(channel=REVIEW, ts=card, user=user, emoji=emoji, added=added)
        self._events += 1
        event_id = f"EvSOAK{self._events:06d}"
        event = reaction_event(user=user, emoji=emoji, channel=REVIEW, ts=card, added=added)
        sent, pause, deadline = 0, 0.3, time.monotonic() + 60
        while True:  # Slack sends an event again until it is acknowledged
            sent += 1
            if await self._event(event, event_id, retry=sent - 1):
                break
            if time.monotonic() > deadline:
                return sent  # Slack gives up; postgate reads the card back when it starts
            await asyncio.sleep(pause)
            pause = min(pause * 2, 2.0)
        if again:  # a redelivery: Slack did not see the first ack in time
            sent += 1
            await self._event(event, event_id, retry=1)
        return sent

    async def _event(self, event: dict[str, Any], event_id: str, *, retry: int) -> bool:
        try:
            status, _ = await self.sender.event(event, event_id=event_id, retry_num=retry or None)
        except (aiohttp.ClientError, OSError, TimeoutError):
            return False
        return status == 200


class DiscordSide:
    name = "discord"
    editors = tuple(str(e) for e in DISCORD_EDITORS)
    members = tuple(str(m) for m in DISCORD_MEMBERS)
    approve, reject, changes = "✅", "❌", "✏️"

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    async def command(self, user: str, name: str, text: str, number: int | None) -> bool:
        command, _, sub = name.partition(" ")
        sub = sub or ("add" if command == "idea" else "new")
        options: dict[str, str | int] = {}
        if number is not None:
            options["number"] = number
        if text:
            options["text"] = text
        try:
            payload = await self.fake.slash_command(
                command, user_id=int(user), subcommand=sub, options=options
            )
        except Exception:  # no bot connected (postgate is down), or its socket just died
            return False
        interaction = int(payload["id"])
        try:
            await self.fake.wait_for(lambda: interaction in self.fake.callbacks, within=10)
        except TimeoutError:
            return False
        return True

    async def react(self, card: str, user: str, emoji: str, *, added: bool, again: bool) -> int:
        act = self.fake.react if added else self.fake.unreact
        sent = 0
        for _ in range(2 if again else 1):
            sent += 1
            # With the bot away, the reaction stands with no event: postgate reads the
            # card back when it connects again.
            with contextlib.suppress(Exception):
                await act(message_id=int(card), user_id=int(user), emoji=emoji)
        return sent


# -- the real process -------------------------------------------------------------------


def _open_log(path: Path) -> IO[bytes]:
    return path.open("ab")


class Postgate:
    """`postgate run` in a child process, killed and started again."""

    def __init__(self, *, env: dict[str, str], cwd: Path, log: Path, port: int) -> None:
        self.env, self.cwd, self.log_path, self.port = env, cwd, log, port
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self, discord: FakeDiscord, session: aiohttp.ClientSession) -> None:
        syncs = len(discord.calls_to("PUT", r"/applications/\d+/guilds/\d+/commands"))
        log = _open_log(self.log_path)
        try:
            self.process = await asyncio.create_subprocess_exec(
                *postgate_command("run"),
                env=self.env,
                cwd=self.cwd,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        finally:
            log.close()
        self.starts += 1
        deadline = time.monotonic() + 90
        while not await self._healthy(session) or (
            len(discord.calls_to("PUT", r"/applications/\d+/guilds/\d+/commands")) <= syncs
        ):
            if self.process.returncode is not None or time.monotonic() > deadline:
                raise AssertionError(f"postgate did not start:\n{self.log_tail()}")
            await asyncio.sleep(0.1)

    async def _healthy(self, session: aiohttp.ClientSession) -> bool:
        try:
            async with session.get(f"http://127.0.0.1:{self.port}/health") as answer:
                return answer.status == 200
        except (aiohttp.ClientError, OSError, TimeoutError):
            return False

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def stop(self) -> int | None:
        """SIGTERM, as a service manager stops it; its exit code."""
        if self.process is None or self.process.returncode is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), 60)
        except TimeoutError:
            await self.kill()
            return None

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def soak_env(
    database_url: str, *, slack: FakeSlack, discord: FakeDiscord, port: int
) -> dict[str, str]:
    env = child_env(database_url)
    env.update(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "SLACK_REVIEW_CHANNEL": REVIEW,
            "SLACK_APPROVED_CHANNEL": APPROVED,
            "SLACK_EDITORS": ",".join(SLACK_EDITORS),
            "DISCORD_TOKEN": DISCORD_TOKEN,
            "DISCORD_GUILD_ID": str(GUILD_ID),
            "DISCORD_API_URL": discord.api_url,
            "DISCORD_GATEWAY_URL": discord.gateway_url,
            "DISCORD_REVIEW_CHANNEL": str(DISCORD_REVIEW),
            "DISCORD_APPROVED_CHANNEL": str(DISCORD_APPROVED),
            "DISCORD_EDITOR_ROLE": str(EDITOR_ROLE),
            "POSTGATE_PORT": str(port),
            "POSTGATE_APPROVALS_REQUIRED": str(APPROVALS),
            "POSTGATE_LOCK_WAIT_SECONDS": "0.5",
        }
    )
    return env


# -- what the database says ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    id: int
    workspace: str
    author_id: str
    status: str
    revision: int
    card: str | None


class Board:
    """The proposals as the database has them, read again every quarter second so that
    scripts can wait for a card without each polling the database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.by_token: dict[str, Row] = {}
        self._changed = asyncio.Condition()

    async def poll(self) -> None:
        while True:
            with contextlib.suppress(Exception):  # a busy database: the next read will do
                await self.read()
            await asyncio.sleep(0.25)

    async def read(self) -> None:
        async with self.db.session() as session:
            rows = await session.execute(
                select(
                    Proposal.id,
                    Proposal.workspace,
                    Proposal.author_id,
                    Proposal.status,
                    Proposal.revision,
                    Proposal.card_message_id,
                    Revision.text,
                ).join(Revision, (Revision.proposal_id == Proposal.id) & (Revision.number == 1))
            )
            found: dict[str, Row] = {}
            for pid, workspace, author, status, revision, card, text in rows:
                match = TOKEN.search(text)
                if match:
                    found[match[1]] = Row(pid, workspace, author, status, revision, card)
        async with self._changed:
            self.by_token = found
            self._changed.notify_all()

    async def wait(self, check: Callable[[], Row | None], within: float) -> Row:
        async with asyncio.timeout(within), self._changed:
            while (row := check()) is None:
                await self._changed.wait()
            return row

    async def card(self, token: str, *, revision: int, within: float) -> Row:
        """The proposal once the card of `revision` (or a later one) is up."""

        def carded() -> Row | None:
            row = self.by_token.get(token)
            ok = row is not None and row.revision >= revision and row.card is not None
            return row if ok else None

        return await self.wait(carded, within)


# -- the soak -------------------------------------------------------------------------------


class Soak:
    def __init__(self, plan: SoakPlan, *, database_url: str, workdir: Path) -> None:
        self.plan = plan
        self.database_url = database_url
        self.workdir = workdir
        self.counts = Counts()
        self.tracked: dict[str, Tracked] = {}
        self.ideas: dict[str, bool] = {}  # token -> acknowledged
        self.started = 0
        self._scripts_done = False
        self._progress = asyncio.Condition()
        self._tokens = 0

    async def run(self) -> SoakResult:
        began = time.monotonic()
        backend = "postgresql" if self.database_url.startswith("postgresql") else "sqlite"
        timeout = aiohttp.ClientTimeout(total=15)
        async with (
            FakeSlack() as slack,
            FakeDiscord(token=DISCORD_TOKEN) as discord,
            aiohttp.ClientSession(timeout=timeout) as session,
        ):
            for i, editor in enumerate(DISCORD_EDITORS):
                discord.add_member(editor, f"editor{i + 1}", roles=[EDITOR_ROLE])
            for i, member in enumerate(DISCORD_MEMBERS):
                discord.add_member(member, f"member{i + 1}", roles=[])
            port = free_port()
            sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", session=session)
            sides: tuple[Side, Side] = (SlackSide(slack, sender), DiscordSide(discord))
            self.postgate = Postgate(
                env=soak_env(self.database_url, slack=slack, discord=discord, port=port),
                cwd=self.workdir,
                log=self.workdir / "postgate.log",
                port=port,
            )
            db = Database(self.database_url)
            board = Board(db)
            polling = asyncio.create_task(board.poll())
            try:
                await self.postgate.start(discord, session)
                await asyncio.gather(
                    self._scripts(sides, board),
                    self._ideas(sides),
                    self._killer(discord, session),
                    self._windows(slack),
                )
                drained = await self._settle(db, slack, discord)
                code = await self.postgate.stop()
                await board.read()
                violations = await checks(self, db, slack, discord, board)
                if code not in (0, None):
                    violations.append(f"postgate exited {code} on SIGTERM")
                if "Traceback" in self.postgate.log_path.read_text(errors="replace"):
                    violations.append("a traceback in postgate's log")
            finally:
                polling.cancel()
                # Its read must end before the engine is disposed: a read cut off with
                # its connection still out made the dispose wait past the test's timeout.
                with contextlib.suppress(asyncio.CancelledError):
                    await polling
                await self.postgate.kill()
                await db.dispose()
        return SoakResult(
            plan=self.plan,
            backend=backend,
            counts=self.counts,
            violations=violations,
            wall=time.monotonic() - began,
            drained=drained,
        )

    # -- members ---------------------------------------------------------------------
    def _token(self, prefix: str) -> str:
        self._tokens += 1
        return f"{prefix}-{self._tokens}"

    async def _scripts(self, sides: tuple[Side, Side], board: Board) -> None:
        turns = asyncio.Semaphore(self.plan.at_once)

        async def one(n: int) -> None:
            async with turns:
                async with self._progress:
                    self.started += 1
                    self._progress.notify_all()
                await self._script(n, sides, board)

        try:
            await asyncio.gather(*(one(n) for n in range(self.plan.proposals)))
        finally:
            async with self._progress:
                self._scripts_done = True
                self._progress.notify_all()

    async def _send(self, side: Side, user: str, name: str, text: str, number: int | None) -> bool:
        """A member sends a command until it is acknowledged (at most a minute)."""
        deadline = time.monotonic() + 60
        while True:
            self.counts.commands += 1
            if await side.command(user, name, text, number):
                return True
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.5)

    async def _propose(self, side: Side, author: str, rng: random.Random) -> Tracked | None:
        """Propose until acknowledged: each try a new command, with a token of its own."""
        for _ in range(60):
            token = self._token("p")
            text = (
                f"Come and help at our street stall in St Ives on Saturday morning (soak {token})."
            )
            self.counts.proposals_sent += 1
            self.counts.commands += 1
            acked = await side.command(author, "propose new", text, None)
            self.tracked[token] = Tracked(token, side.name, author, acked)
            if acked:
                self.counts.proposals_acked += 1
                return self.tracked[token]
            await asyncio.sleep(rng.uniform(0.3, 1.0))
        return None

    async def _react(
        self,
        side: Side,
        card: str,
        user: str,
        emoji: str,
        *,
        added: bool = True,
        again: bool = False,
    ) -> None:
        sent = await side.react(card, user, emoji, added=added, again=again)
        self.counts.reactions += 1
        self.counts.redelivered += sent - 1

    async def _script(self, n: int, sides: tuple[Side, Side], board: Board) -> None:
        rng = random.Random(self.plan.seed * 1_000_003 + n)
        side = sides[n % 2]
        # Every fifth proposal is an editor's own, on which their reaction never counts.
        author = rng.choice(side.editors) if n % 5 == 2 else rng.choice(side.members)
        e = [x for x in side.editors if x != author]
        rng.shuffle(e)
        script, _weight, expect = rng.choices(SCRIPTS, weights=[s[1] for s in SCRIPTS])[0]
        tracked = await self._propose(side, author, rng)
        if tracked is None:
            return
        tracked.script, tracked.expect = script, expect
        within = self.plan.card_within
        try:
            row = await board.card(tracked.token, revision=1, within=within)
        except TimeoutError:
            self.counts.stalled += 1
            return
        pid, card = row.id, str(row.card)

        async def pause() -> None:
            await asyncio.sleep(rng.uniform(0.0, 0.3))

        # Noise: none of it decides anything.
        budget = self.plan.reactions * (n + 1) / self.plan.proposals - self.counts.reactions
        if rng.random() < 0.4:
            await self._react(side, card, rng.choice(side.members), side.approve)
        if author in side.editors:
            await self._react(side, card, author, side.approve)  # never on one's own post
        while budget > 4 and rng.random() < 0.8:
            await self._react(side, card, e[3], side.approve, again=rng.random() < 0.5)
            await pause()
            await self._react(side, card, e[3], side.approve, added=False)
            budget -= 2

        async def edit(revision: int) -> tuple[str, str] | None:
            """The author edits; the new card once it is up, and the old one."""
            text = (
                f"Come and help at our street stall in St Neots on Sunday (version {revision + 1})."
            )
            if not await self._send(side, author, "propose edit", text, pid):
                return None
            try:
                row = await board.card(tracked.token, revision=revision + 1, within=within)
            except TimeoutError:
                self.counts.stalled += 1
                return None
            return str(row.card), card

        await pause()
        if script == "approve":
            await self._react(side, card, e[0], side.approve, again=rng.random() < 0.3)
            await pause()
            await self._react(side, card, e[1], side.approve)
        elif script == "reject":
            await self._react(side, card, e[0], side.reject, again=rng.random() < 0.3)
        elif script == "race":
            await self._react(side, card, e[0], side.approve)
            await pause()
            await asyncio.gather(
                self._react(side, card, e[1], side.approve),
                self._react(side, card, e[2], side.reject),
            )
        elif script == "changes":
            await self._react(side, card, e[0], side.changes)
            await pause()
            edited = await edit(1)
            if edited is None:
                return
            new, old = edited
            await self._react(side, old, e[1], side.approve)
            await self._react(side, old, e[2], side.reject)
            tracked.stale += [(1, e[1], side.approve), (1, e[2], side.reject)]
            await pause()
            await self._react(side, new, e[1], side.approve)
            await self._react(side, new, e[0], side.approve)
        elif script == "edit":
            await self._react(side, card, e[0], side.approve)
            await pause()
            edited = await edit(1)
            if edited is None:
                return
            new, old = edited
            await self._react(side, old, e[1], side.reject)
            await self._react(side, old, e[2], side.approve)
            tracked.stale += [(1, e[1], side.reject), (1, e[2], side.approve)]
            if rng.random() < 0.5:
                await self._react(side, new, e[2], side.approve)
        elif script == "withdraw":
            await self._react(side, card, e[0], side.approve)
            await pause()
            if not await self._send(side, author, "propose withdraw", "", pid):
                return
            await self._react(side, card, e[1], side.approve)
            await self._react(side, card, e[2], side.reject)
        elif script == "open":
            await self._react(side, card, e[0], side.approve, again=rng.random() < 0.5)
        tracked.completed = True

    async def _ideas(self, sides: tuple[Side, Side]) -> None:
        rng = random.Random(self.plan.seed + 7)
        for i in range(self.plan.ideas):
            await self._until(lambda i=i: self.started >= i * self.plan.proposals / self.plan.ideas)
            side = sides[i % 2]
            member = rng.choice(side.members)
            for _ in range(60):
                token = self._token("i")
                text = f"A street stall in Huntingdon market (soak {token})"
                self.counts.commands += 1
                acked = await side.command(member, "idea", text, None)
                self.ideas[token] = acked
                if acked:
                    self.counts.ideas_acked += 1
                    break
                await asyncio.sleep(0.5)

    async def _until(self, check: Callable[[], bool]) -> None:
        """Until `check` holds, or every script has ended."""
        async with self._progress:
            await self._progress.wait_for(lambda: check() or self._scripts_done)

    def _moments(self, count: int, salt: int) -> list[float]:
        rng = random.Random(self.plan.seed * 31 + salt)
        return sorted(rng.uniform(0.1, 0.85) * self.plan.proposals for _ in range(count))

    # -- faults ---------------------------------------------------------------------
    async def _killer(self, discord: FakeDiscord, session: aiohttp.ClientSession) -> None:
        rng = random.Random(self.plan.seed * 17 + 1)
        for moment in self._moments(self.plan.kills, 1):
            await self._until(lambda moment=moment: self.started >= moment)
            await asyncio.sleep(rng.uniform(0.0, 1.5))
            await self.postgate.kill()
            self.counts.kills += 1
            await asyncio.sleep(rng.uniform(0.3, 2.0))  # members go on meanwhile
            await self.postgate.start(discord, session)

    async def _windows(self, slack: FakeSlack) -> None:
        rng = random.Random(self.plan.seed * 17 + 2)
        for i, moment in enumerate(self._moments(self.plan.outages, 2)):
            await self._until(lambda moment=moment: self.started >= moment)
            status = 500 if i % 2 == 0 else 429
            retry_after = rng.choice((1, 2)) if status == 429 else None
            for method in OUTAGE_METHODS:
                slack.outage(method, times=100_000, status=status, retry_after=retry_after)
            await asyncio.sleep(rng.uniform(1.5, 4.0))
            for method in OUTAGE_METHODS:
                slack.end_outage(method)
            if status == 500:
                self.counts.windows_500 += 1
            else:
                self.counts.windows_429 += 1

    # -- the end --------------------------------------------------------------------
    async def _settle(self, db: Database, slack: FakeSlack, discord: FakeDiscord) -> bool:
        """Wait (bounded) until nothing is owed or pending and the fakes are quiet."""
        deadline = time.monotonic() + self.plan.settle_within
        quiet_since, seen = time.monotonic(), -1
        while time.monotonic() < deadline:
            calls = len(slack.calls) + len(discord.calls)
            if calls != seen:
                quiet_since, seen = time.monotonic(), calls
            try:
                owed, pending = await _backlog(db)
            except Exception:
                owed = pending = -1
            if owed == 0 and pending == 0 and time.monotonic() - quiet_since > 1.0:
                return True
            await asyncio.sleep(0.25)
        return False


async def _backlog(db: Database) -> tuple[int, int]:
    async with db.session() as session:
        owed = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
        )
        pending = await session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.done_at.is_(None))
        )
    return int(owed or 0), int(pending or 0)


# -- the checks ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Posted:
    """A message in a fake, as the checks read it."""

    platform: str
    channel: str
    id: str
    text: str
    key: str | None  # the outbox key it was sent with (Slack metadata, Discord nonce)
    reply: bool  # a thread reply (Slack) or a reply to a message (Discord)


def slack_messages(fake: FakeSlack) -> Iterator[Posted]:
    for channel, messages in fake.posted.items():
        for m in messages:
            metadata = m.get("metadata") or {}
            key = (metadata.get("event_payload") or {}).get("key")
            text = f"{m.get('text', '')}\n{json.dumps(m.get('blocks') or [])}"
            yield Posted("slack", channel, str(m["ts"]), text, key, m.get("thread_ts") is not None)


def discord_messages(fake: FakeDiscord) -> Iterator[Posted]:
    for m in fake.messages.values():
        text = f"{m.content}\n{json.dumps(m.embeds, ensure_ascii=False)}"
        reply = m.message_reference is not None
        yield Posted("discord", str(m.channel_id), str(m.id), text, m.nonce, reply)


def standing(
    fake_slack: FakeSlack, fake_discord: FakeDiscord, platform: str, card: str
) -> set[tuple[str, str]]:
    """The (user, emoji) reactions standing on a review card, postgate's own left out."""
    if platform == "slack":
        found = fake_slack.reactions.get((REVIEW, card), {})
        return {(u, emoji) for emoji, users in found.items() for u in users if u != BOT_USER_ID}
    message = fake_discord.messages.get(int(card))
    if message is None:
        return set()
    bot = str(next(u for u, data in fake_discord.users.items() if data.get("bot")))
    return {
        (str(u), emoji)
        for emoji, users in message.reactions.items()
        for u in users
        if str(u) != bot
    }


VOTE_OF = {
    "white_check_mark": "approve",
    "x": "reject",
    "pencil2": "changes",
    "✅": "approve",
    "❌": "reject",
    "✏️": "changes",
}


async def checks(
    soak: Soak, db: Database, slack: FakeSlack, discord: FakeDiscord, board: Board
) -> list[str]:
    """Every way the soak could have lost or doubled something, as one line each."""
    bad: list[str] = []
    async with db.session() as session:
        proposals = {p.id: p for p in (await session.scalars(select(Proposal))).all()}
        revisions = (await session.scalars(select(Revision))).all()
        votes = (await session.scalars(select(Vote))).all()
        events = (await session.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
        outbox = (await session.scalars(select(OutboxMessage))).all()
        pending = (await session.scalars(select(Delivery).where(Delivery.done_at.is_(None)))).all()
        ideas = (await session.scalars(select(Idea))).all()
    unsent = [o for o in outbox if o.sent_at is None]
    if unsent:
        bad.append(f"{len(unsent)} owed messages never sent: {_few(o.id for o in unsent)}")
    if pending:
        bad.append(f"{len(pending)} deliveries never done: {_few(d.key for d in pending)}")

    # Every acknowledged proposal exists exactly once; one not acknowledged at most once.
    texts: dict[int, dict[int, str]] = defaultdict(dict)
    for r in revisions:
        texts[r.proposal_id][r.number] = r.text
    by_token: dict[str, list[int]] = defaultdict(list)
    for pid, numbered in texts.items():
        match = TOKEN.search(numbered.get(1, ""))
        by_token[match[1] if match else "?"].append(pid)
    for token, tracked in soak.tracked.items():
        found = by_token.get(token, [])
        if len(found) > 1 or (tracked.acked and len(found) != 1):
            bad.append(
                f"proposal {token} (acknowledged: {tracked.acked}) stored {len(found)} times"
            )
    for token in by_token.keys() - soak.tracked.keys():
        bad.append(f"proposals nobody sent: {token} {by_token[token]}")

    messages = [*slack_messages(slack), *discord_messages(discord)]
    keys = Counter(m.key for m in messages if m.key is not None)
    for key, count in keys.items():
        if count > 1:
            bad.append(f"{count} messages sent for one owed message ({key})")
    sent_keys = {f"postgate-{o.id}": o for o in outbox if o.sent_at is not None}
    review = {(SLACK_WORKSPACE, REVIEW), (DISCORD_WORKSPACE, str(DISCORD_REVIEW))}
    approved_channels = {APPROVED, str(DISCORD_APPROVED)}
    cards: dict[int, list[Posted]] = defaultdict(list)
    posts: Counter[int] = Counter()
    notices: dict[str, Counter[int]] = {kind: Counter() for kind in NOTICES}
    for m in messages:
        workspace = SLACK_WORKSPACE if m.platform == "slack" else DISCORD_WORKSPACE
        if (workspace, m.channel) in review and not m.reply:
            title = CARD_TITLE.search(m.text)
            if title is None:
                bad.append(f"a message in the review channel that is not a card: {m.id}")
            else:
                cards[int(title[1])].append(m)
                owed = sent_keys.get(m.key or "")
                if owed is None or owed.kind != OutboxKind.CARD:
                    bad.append(f"card {m.id} of proposal {title[1]} sent for no owed card")
        if m.channel in approved_channels:
            post = APPROVED_POST.search(m.text)
            if post is not None:
                posts[int(post[1])] += 1
        for kind, pattern in NOTICES.items():
            for told in set(pattern.findall(m.text)):  # Slack: in its text and blocks
                notices[kind][int(told)] += 1

    kinds: dict[int, Counter[str]] = defaultdict(Counter)
    posted_for_review: dict[int, dict[int, str]] = defaultdict(dict)
    for ev in events:
        if ev.proposal_id is None:
            continue
        kinds[ev.proposal_id][ev.kind] += 1
        if ev.kind == "posted_for_review":
            revision = int(ev.detail.get("revision", 0))  # type: ignore[call-overload]
            if revision in posted_for_review[ev.proposal_id]:
                bad.append(f"proposal {ev.proposal_id}: two cards for revision {revision}")
            posted_for_review[ev.proposal_id][revision] = str(ev.detail.get("message_id"))
    votes_at: dict[tuple[int, int], set[tuple[str, str]]] = defaultdict(set)
    for v in votes:
        votes_at[(v.proposal_id, v.revision)].add((v.voter_id, v.kind))
    editors = {*SLACK_EDITORS, *DiscordSide.editors}
    for v in votes:  # only editors count, never on their own post
        author = proposals[v.proposal_id].author_id
        if v.voter_id not in editors or v.voter_id == author:
            bad.append(f"proposal {v.proposal_id}: a vote by {v.voter_id} (author {author})")

    tracked_by_id = {
        ids[0]: soak.tracked[t] for t, ids in by_token.items() if t in soak.tracked and ids
    }
    for pid, p in proposals.items():
        where = f"proposal {pid} ({p.workspace.split(':')[0]}, {p.status}, revision {p.revision})"
        platform = "slack" if p.workspace == SLACK_WORKSPACE else "discord"
        seen = kinds[pid]
        numbers = sorted(texts[pid])
        # The audit accounts for every change.
        if numbers != list(range(1, p.revision + 1)):
            bad.append(f"{where}: revisions {numbers}")
        if seen["proposed"] != 1 or seen["revised"] != p.revision - 1:
            bad.append(f"{where}: {seen['proposed']} proposed, {seen['revised']} revised events")
        if seen["checked"] != p.revision:
            bad.append(f"{where}: {seen['checked']} checked events")
        finals = {k: seen[k] for k in ("approved", "rejected", "withdrawn") if seen[k]}
        if finals != ({p.status: 1} if p.status in ("approved", "rejected", "withdrawn") else {}):
            bad.append(f"{where}: decisions in the audit {finals}")
        net = _net_votes([ev for ev in events if ev.proposal_id == pid])
        for revision in range(1, p.revision + 1):
            if net.get(revision, set()) != votes_at.get((pid, revision), set()):
                bad.append(f"{where}: the audit's votes at {revision} differ from the stored")

        # One card per revision that was carded, each sent once, the last one true.
        mine = cards.get(pid, [])
        carded = posted_for_review.get(pid, {})
        ids = [m.id for m in mine]
        if len(set(ids)) != len(ids) or not set(carded.values()) <= set(ids):
            bad.append(f"{where}: cards {ids}, posted for review {carded}")
        current = p.card_message_id
        if p.status != "blocked" and current is None and p.status != "withdrawn":
            bad.append(f"{where}: no card")
        for m in mine:
            if m.id == current:
                ending = TITLE_ENDING.get(p.status, "?")
                if ending not in m.text:
                    bad.append(f"{where}: its card does not say {ending!r}")
                if p.status == "approved" and "Sent to the approved channel." not in m.text:
                    bad.append(f"{where}: its card does not say it was sent")
            elif "superseded by revision" not in m.text:
                bad.append(f"{where}: an earlier card {m.id} is not marked superseded")

        # Every approved post reached the approved channel exactly once.
        want_post = 1 if p.status == "approved" else 0
        if posts[pid] != want_post:
            bad.append(f"{where}: {posts[pid]} approved posts")
        # The proposer was told of each decision exactly once.
        for kind, counted in notices.items():
            want = (
                seen["changes_requested"] if kind == "changes_requested" else int(p.status == kind)
            )
            if counted[pid] != want:
                bad.append(f"{where}: told {counted[pid]} times of {kind}, owed {want}")

        # Every decision matches the standing votes on the card of that revision.
        on_card = set() if current is None else standing(slack, discord, platform, current)
        counted_here = {
            (u, VOTE_OF[emoji])
            for u, emoji in on_card
            if u in editors and u != p.author_id and emoji in VOTE_OF
        }
        stored = votes_at.get((pid, p.revision), set())
        if p.status in ("approved", "rejected"):
            if not stored <= counted_here:
                bad.append(f"{where}: votes {sorted(stored - counted_here)} not on the card")
            approvals = {u for u, k in stored if k == "approve"}
            if p.status == "approved" and len(approvals) < APPROVALS:
                bad.append(f"{where}: approved with {len(approvals)} approvals")
            if p.status == "rejected" and not any(k == "reject" for _u, k in stored):
                bad.append(f"{where}: rejected with no rejection standing")
        elif p.status in ("pending", "changes_requested") and stored != counted_here:
            bad.append(
                f"{where}: votes {sorted(stored)}, but the card shows {sorted(counted_here)}"
            )
        # An earlier revision's votes decide nothing; what matters there is that no
        # reaction made once its card was superseded counted (`stale`, below). A vote
        # taken back while postgate was down stays on a revision superseded before the
        # cards were read back, and that is harmless.

        tracked = tracked_by_id.get(pid)
        if tracked is not None:
            for revision, user, emoji in tracked.stale:
                if (user, VOTE_OF[emoji]) in votes_at.get((pid, revision), set()):
                    bad.append(f"{where}: a reaction on a superseded card counted ({user})")
            if tracked.completed and p.status not in tracked.expect:
                bad.append(f"{where}: a {tracked.script!r} script ended {p.status}")

    # Every acknowledged idea exists exactly once, with its audit event.
    idea_tokens = Counter(m[1] for i in ideas if (m := TOKEN.search(i.text)))
    for token, acked in soak.ideas.items():
        if idea_tokens[token] > 1 or (acked and idea_tokens[token] != 1):
            bad.append(f"idea {token} (acknowledged: {acked}) stored {idea_tokens[token]} times")
    added = Counter(
        int(ev.detail.get("idea", 0))  # type: ignore[call-overload]
        for ev in events
        if ev.kind == "idea_added"
    )
    for idea in ideas:
        if added[idea.id] != 1:
            bad.append(f"idea {idea.id}: {added[idea.id]} idea_added events")
    return bad


def _net_votes(events: list[AuditEvent]) -> dict[int, set[tuple[str, str]]]:
    """The votes standing by the audit's account: added minus withdrawn, per revision."""
    net: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for ev in events:
        if ev.kind not in ("vote_added", "vote_withdrawn"):
            continue
        revision = int(ev.detail.get("revision", 0))  # type: ignore[call-overload]
        vote = (str(ev.actor_id), str(ev.detail.get("vote")))
        if ev.kind == "vote_added":
            net[revision].add(vote)
        else:
            net[revision].discard(vote)
    return net


def _few(items: Iterator[object] | Any, n: int = 5) -> str:
    shown = [str(i) for i in items]
    return ", ".join(shown[:n]) + (f" and {len(shown) - n} more" if len(shown) > n else "")


async def run_soak(plan: SoakPlan, *, database_url: str, workdir: Path) -> SoakResult:
    return await Soak(plan, database_url=database_url, workdir=workdir).run()


__all__ = ["LONG", "SHORT", "SoakPlan", "SoakResult", "run_soak"]
