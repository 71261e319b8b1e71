"""The local workspace: postgate in the terminal, no Slack or Discord account needed.

Each input line is what the current user types in the comms channel. `/as NAME`
switches user, `/react N EMOJI` and `/unreact N EMOJI` react on proposal N's
review card, every other `/command` is the same command as on Slack. Each output
line names the channel it went to.

Commands and reactions are deliveries (`handlers.delivery`), as on Slack and
Discord: received, then run, and what a killed session left undone runs at the next
start, answered privately.

`LocalWorkspace` is the public entry point for scripts and tests (feed it lines,
read what came out); `LocalPlatform` wires it to stdin and stdout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import re
import sys
import threading
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from bot.platforms.base import Platform
from bot.platforms.local.files import AttachmentFolder, default_folder
from bot.platforms.local.render import clean, render
from bot.platforms.local.terminal import CONTINUATION_PROMPT, Terminal
from bot.settings import Settings
from handlers.context import Context, Services
from handlers.delivery import Answer, Deliveries, Event, NotReceived
from handlers.emoji import emoji_char, emoji_name
from handlers.events import Actor, Invocation, ReactionEvent, Reply, Role
from handlers.messages import Mention, Message
from handlers.port import ChannelRole, Group, MessageRef, SendKey
from handlers.proposals import board
from handlers.proposals.feedback import STATUS_WORDS
from handlers.proposals.review import vote_kind

log = logging.getLogger(__name__)

WORKSPACE = "local"
COMMS = "comms"
DEFAULT_USER = "alex"
BYE = "Bye! Everything is saved; `postgate run` opens it again."
UNSENT = "What you were typing was not sent."
_COMMAND = re.compile(r"(\S*)\s?(.*)", re.DOTALL)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
_REACT = re.compile(r"^/(react|unreact)(?:\s+(\S+))?(?:\s+(.+))?$", re.IGNORECASE)


class LocalPort:
    """The chat port of the terminal: every call becomes printed lines."""

    platform = "local"

    def __init__(
        self,
        *,
        emit: Callable[[list[str]], None],
        editors: Iterable[str],
        steering: Iterable[str],
        files: AttachmentFolder,
    ) -> None:
        self._emit = emit
        self.editors = tuple(editors)
        self.steering = tuple(steering)
        self.files = files
        # Everything sent, as (where, message): scripts and tests read what the channels show.
        self.sent: list[tuple[str, Message]] = []

    async def show(self, where: str, message: Message, *, updated: bool = False) -> None:
        self.sent.append((where, message))
        labels: list[str] = []
        if message.attachments:
            # Attachments become files (written off the event loop); the lines say where.
            labels = await asyncio.to_thread(
                lambda: [self.files.label(a) for a in message.attachments]
            )
        self._emit(render(message, where=where, updated=updated, attachments=labels))

    async def post(
        self, *, channel: ChannelRole | str, message: Message, key: SendKey | None = None
    ) -> MessageRef:
        name = str(channel)
        # Unique across restarts: the database keeps card references.
        ref = MessageRef(channel=name, message_id=f"{name}-{uuid.uuid4().hex[:12]}")
        await self.show(f"#{name}", message)
        return ref

    async def update(self, *, ref: MessageRef, message: Message) -> None:
        await self.show(f"#{ref.channel}", message, updated=True)

    async def react(self, *, ref: MessageRef, emoji: str) -> None:
        # postgate's own hint reactions: the card already says how to react.
        return None

    async def notify(
        self,
        *,
        user_id: str,
        message: Message,
        about: MessageRef | None = None,
        key: SendKey | None = None,
    ) -> None:
        await self.show(f"dm to {clean(user_id)}", message)

    def link(self, ref: MessageRef) -> str | None:
        return None  # the terminal has no addresses; the card is just above

    def members_of(self, group: Group) -> tuple[Mention, ...]:
        names = self.editors if group == Group.EDITORS else self.steering
        return tuple(Mention.user(name, name) for name in names)


class LocalWorkspace:
    """A pretend comms channel. `await send(line)` returns the lines it printed."""

    def __init__(
        self,
        *,
        services: Services,
        editors: Iterable[str] = ("editor", "chair"),
        steering: Iterable[str] = ("chair",),
        files_dir: Path | None = None,
    ) -> None:
        """`files_dir`: where attachments (the /stats chart) are written; by default
        `postgate-files/` under the working directory."""
        self.output: list[str] = []
        # Called with every batch of lines as it is shown, also from scheduled jobs
        # between typed lines (the terminal prints them at once).
        self.listeners: list[Callable[[list[str]], None]] = []
        folder = AttachmentFolder(files_dir or default_folder())
        self.port = LocalPort(emit=self._emit, editors=editors, steering=steering, files=folder)
        self.ctx = Context(services=services, port=self.port, workspace=WORKSPACE)
        self.deliveries = Deliveries(self.ctx)
        self.user = DEFAULT_USER

    @classmethod
    def from_settings(cls, settings: Settings, services: Services) -> LocalWorkspace:
        return cls(
            services=services, editors=settings.local_editors, steering=settings.local_steering
        )

    def actor(self, name: str | None = None) -> Actor:
        name = name or self.user
        roles = {Role.PROPOSER}
        if name in self.port.editors:
            roles.add(Role.EDITOR)
        if name in self.port.steering:
            roles.add(Role.STEERING)
        return Actor(id=name, name=name, roles=frozenset(roles))

    def _emit(self, lines: list[str]) -> None:
        self.output.extend(lines)
        for listener in self.listeners:
            listener(lines)

    def _say(self, text: str) -> None:
        self._emit([f"[workspace] {line}" for line in text.splitlines()])

    def who(self, name: str | None = None) -> str:
        actor = self.actor(name)
        if actor.is_editor:
            return "an editor"
        return "in the steering group" if actor.is_steering else "a member"

    def greeting(self) -> list[str]:
        editors = " and ".join(self.port.editors) or "nobody (set POSTGATE_LOCAL_EDITORS)"
        first_editor = self.port.editors[0] if self.port.editors else "editor"
        return [
            "Welcome to postgate's local workspace: a pretend comms channel in your terminal.",
            f"You are {self.user} ({self.who()}). The editors are {editors}.",
            "Try these three lines (the number is the one postgate gives your proposal):",
            "  /propose Thank you to everyone who canvassed in St Ives on Saturday!",
            f"  /as {first_editor}",
            "  /react 1 white_check_mark",
            "Type /help for every command, /as NAME to be someone else, /quit to leave.",
            "A post over several lines: end each line but the last with a backslash (\\).",
        ]

    def drain(self) -> list[str]:
        """Every line printed since the last drain."""
        lines, self.output[:] = list(self.output), []
        return lines

    async def send(self, line: str) -> list[str]:
        """Handle one typed line as the current user; returns the lines it printed."""
        start = len(self.output)
        try:
            await self._handle(line.rstrip("\r\n"))
        except Exception:
            log.exception("the local workspace failed on a line")
            self._say("Sorry, something went wrong with that line and nothing was changed.")
        return self.output[start:]

    async def _handle(self, line: str) -> None:
        stripped = line.strip()
        if not stripped:
            return
        if not stripped.startswith("/"):
            self._say(
                "Lines here are commands. To send a post to the editors, type "
                "/propose and your post; /help lists everything."
            )
            return
        # The command ends at the first space or line break ("/propose\\" then the draft).
        parts = _COMMAND.match(stripped[1:])
        assert parts is not None  # the pattern matches any text
        command, rest = parts[1].lower(), parts[2]
        if command == "as":
            self._switch(rest.strip())
        elif command in {"react", "unreact"}:
            await self._react(stripped)
        elif command in {"quit", "exit"}:
            self._say(BYE)
        elif not command:
            self._say("Type a command after the slash, for example /help.")
        else:
            await self._command(command, rest)

    def _switch(self, name: str) -> None:
        if not _NAME.match(name):
            self._say(
                "Give a name after /as: one word of letters, digits, dots, dashes or "
                "underscores, for example /as editor."
            )
            return
        self.user = name
        self._say(f"You are now {name} ({self.who()}).")

    async def _command(self, command: str, rest: str) -> None:
        actor = self.actor()
        invocation = Invocation(
            workspace=WORKSPACE, actor=actor, command=command, text=rest, channel=COMMS
        )

        async def answer(reply: Reply) -> None:
            where = f"#{COMMS}" if reply.visibility == "channel" else f"private to {actor.name}"
            await self.port.show(where, reply.message)

        await self._deliver(invocation, answer=answer)
        if command == "help":
            self._say(
                "Only here, in the local workspace: /as NAME switches user, "
                "/react N EMOJI and /unreact N EMOJI react on proposal N's card, /quit leaves. "
                "End a line with a backslash (\\) to go on with the same post on the next line; "
                "the up arrow brings back what you typed before."
            )

    async def _react(self, line: str) -> None:
        match = _REACT.match(line)
        verb = match[1].lower() if match else "react"
        number, emoji = (match[2], match[3]) if match else (None, None)
        if not number or not number.lstrip("#").isdecimal() or not emoji:
            self._say(
                f"Write /{verb} N EMOJI, for example /{verb} 1 white_check_mark "
                "(N is the proposal's number)."
            )
            return
        proposal_id = int(number.lstrip("#"))
        snap = await board.load(self.ctx, proposal_id) if proposal_id < 2**31 else None
        if snap is None or board.card_ref(snap) is None:
            self._say(
                f"Proposal {proposal_id} has no card on the review channel to react to. "
                "Type /propose status to see your proposals."
            )
            return
        name = emoji_name(emoji.strip())
        actor = self.actor()
        added = verb == "react"
        doing = "reacted" if added else "took back"
        self._emit(
            [
                f"[#review] {actor.name} {doing} {emoji_char(name)} (:{clean(name)}:) "
                f"on proposal {proposal_id}'s card"
            ]
        )
        if vote_kind(name, self.ctx.services.config) is not None:
            if not snap.status.is_open:
                self._say(
                    f"Proposal {proposal_id} is already {STATUS_WORDS[snap.status]}, so this "
                    "reaction changes nothing."
                )
            elif not actor.is_editor:
                self._say(f"{actor.name} is not an editor, so this reaction is not a vote.")
            elif actor.id == snap.author_id:
                self._say("Your reaction on your own proposal is not a vote.")
        event = ReactionEvent(
            workspace=WORKSPACE,
            actor=actor,
            emoji=name,
            added=added,
            proposal_id=proposal_id,
            event_id=f"local-{uuid.uuid4().hex}",
        )
        await self._deliver(event)

    async def _deliver(self, event: Event, *, answer: Answer | None = None) -> None:
        """What a platform does with a delivery: receive it, then run it. A line typed
        is never delivered twice, so its key is new each time."""
        key = f"local:{uuid.uuid4().hex}"
        try:
            new = await self.deliveries.receive(key=key, event=event)
        except NotReceived as refused:
            self._say(refused.text)
            return
        if new:
            await self.deliveries.run(key=key, event=event, answer=answer)


class LocalPlatform:
    """The workspace on stdin/stdout: a terminal greets; a pipe is read as a script."""

    name = "local"
    workspace = WORKSPACE

    def __init__(
        self,
        *,
        workspace: LocalWorkspace,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
    ) -> None:
        self.local = workspace
        self._in = stdin or sys.stdin
        self._out = stdout or sys.stdout
        for stream in (self._in, self._out):
            # Odd bytes in, or emoji out on a non-UTF-8 terminal, must not end the session.
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                with contextlib.suppress(Exception):
                    reconfigure(errors="replace")
        self._terminal = Terminal(self._in)
        self._waiting_prompt = ""
        self._closed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._busy = False  # handling a typed line (its output follows the line)

    @property
    def port(self) -> LocalPort:
        return self.local.port

    @property
    def interactive(self) -> bool:
        try:
            return self._in.isatty()
        except (AttributeError, ValueError):
            return False

    def _print(self, lines: Iterable[str]) -> None:
        for line in lines:
            self._out.write(line + "\n")
        self._out.flush()

    def _show(self, lines: list[str]) -> None:
        """Print output as it happens, including what scheduled jobs post between lines."""
        if self._busy or not self.interactive:
            self._print(lines)
            return
        # Off the waiting prompt, then the prompt again with what was typed so far.
        self._print(["", *lines])
        self._out.write(self._waiting_prompt + self._terminal.typed_so_far())
        self._out.flush()

    async def start(self) -> None:
        if self.interactive:
            self._print(self.local.greeting())
        self.local.listeners.append(self._show)
        # What a session killed mid-line left undone; its answers come privately.
        await self.local.deliveries.replay(before=self.local.ctx.services.clock.now())
        self._task = asyncio.create_task(self._serve())

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        prompts: queue.Queue[str | None] = queue.Queue()
        lines: asyncio.Queue[str | None] = asyncio.Queue()

        def read() -> None:
            # A daemon thread, so a blocked read never holds the process open at exit.
            # It reads one line per prompt, so the prompt shows who is typing now.
            while (prompt := prompts.get()) is not None:
                line = self._terminal.read(prompt)
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(lines.put_nowait, line)
                if line is None:
                    return

        threading.Thread(target=read, name="postgate-stdin", daemon=True).start()
        try:
            while (typed := await self._next_entry(prompts, lines)) is not None:
                self._busy = True
                try:
                    await self.local.send(typed)
                finally:
                    self._busy = False
                self.local.drain()  # printed already; keep memory flat in long sessions
                if typed.strip().lower() in {"/quit", "/exit"}:
                    break
            else:
                if self.interactive:
                    self._print(["", BYE])
        finally:
            prompts.put(None)
            self._closed.set()

    async def _next_entry(
        self, prompts: queue.Queue[str | None], lines: asyncio.Queue[str | None]
    ) -> str | None:
        """The next thing typed: one line, or several joined where a line ends in a
        backslash (a multi-line draft). None at the end of input."""
        parts: list[str] = []
        while True:
            prompt = self._waiting_prompt = CONTINUATION_PROMPT if parts else f"{self.local.user}> "
            # readline writes the prompt itself; otherwise postgate does, at a terminal.
            prompts.put(prompt if self._terminal.edits_lines else "")
            if self.interactive and not self._terminal.edits_lines:
                self._out.write(prompt)
                self._out.flush()
            line = await lines.get()
            self._waiting_prompt = ""
            if line is None:
                return "\n".join(parts) if parts else None
            if not self.interactive and (line.strip() or parts):
                self._print([f"{prompt}{clean(line.rstrip())}"])
            if line.endswith("\\"):  # the draft goes on to the next line
                parts.append(line[:-1])
                continue
            return "\n".join([*parts, line])

    async def wait_closed(self) -> None:
        await self._closed.wait()

    async def stop(self) -> None:
        interrupted = not self._closed.is_set()  # Ctrl-C, or the service stopping
        if self._show in self.local.listeners:
            self.local.listeners.remove(self._show)
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if interrupted and self.interactive:
            unsent = self._waiting_prompt == CONTINUATION_PROMPT or self._terminal.typed_so_far()
            # off the prompt line
            self._print(["", *([UNSENT] if unsent else []), BYE])
        self._closed.set()


def create_platform(settings: Settings, services: Services) -> Platform:
    return LocalPlatform(workspace=LocalWorkspace.from_settings(settings, services))
