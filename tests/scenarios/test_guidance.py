"""`/guidance` through the one door every platform uses (`handlers.dispatch.run_command`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from guidance.checker.checker import Checker
from guidance.lookup.lookup import GuidanceIndex
from guidance.policy import load_policy
from guidance.sections import load_guidance
from handlers.commands.registry import find_command
from handlers.context import Context, Services, WorkflowConfig
from handlers.dispatch import run_command
from handlers.events import Actor, Invocation, Reply
from handlers.messages import Mention, Message
from handlers.port import ChannelRole, Group, MessageRef, SendKey
from storage.db import Database
from tests.unit.guidance.guidance_index import shipped_synonyms


class RecordingPort:
    """A chat platform that only records: /guidance must answer through its Reply alone."""

    platform = "local"

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def post(
        self, *, channel: ChannelRole | str, message: Message, key: SendKey | None = None
    ) -> MessageRef:
        self.calls.append("post")
        return MessageRef(str(channel), str(len(self.calls)))

    async def update(self, *, ref: MessageRef, message: Message) -> None:
        self.calls.append("update")

    async def react(self, *, ref: MessageRef, emoji: str) -> None:
        self.calls.append("react")

    async def notify(
        self,
        *,
        user_id: str,
        message: Message,
        about: MessageRef | None = None,
        key: SendKey | None = None,
    ) -> None:
        self.calls.append("notify")

    def members_of(self, group: Group) -> tuple[Mention, ...]:
        return ()


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(load_policy(None))  # compiling the policy takes a moment: once is enough


@pytest.fixture
async def services(tmp_path: Path, checker: Checker) -> AsyncIterator[Services]:
    guidance = load_guidance(None)
    db = Database(f"sqlite:///{tmp_path / 'postgate.db'}")
    yield Services(
        config=WorkflowConfig(),
        db=db,
        checker=checker,
        guidance=guidance,
        lookup=GuidanceIndex.build(guidance, synonyms=shipped_synonyms()),
    )
    await db.dispose()


@pytest.fixture
def port() -> RecordingPort:
    return RecordingPort()


async def ask(services: Services, port: RecordingPort, text: str) -> Reply:
    invocation = Invocation(
        workspace="local",
        actor=Actor(id="u1", name="sam"),
        command="guidance",
        text=text,
    )
    return await run_command(invocation, Context(services=services, port=port, workspace="local"))


async def test_alone_it_lists_every_section_with_summary_and_how_to_ask(
    services: Services, port: RecordingPort
) -> None:
    reply = await ask(services, port, "")
    assert reply.visibility == "private"
    body = str(reply.message.body)
    assert reply.message.title == "Huntingdon CLP Social Media Guidance"
    for section in services.guidance.sections:
        assert section.title in body
        assert section.summary in body
        assert f"/guidance {section.id}" in body
    assert port.calls == []


async def test_a_question_gets_the_best_section_in_full_privately(
    services: Services, port: RecordingPort
) -> None:
    reply = await ask(services, port, "can I reply to a Tory councillor?")
    rules = services.guidance.get("rules")
    assert rules is not None
    assert reply.visibility == "private"
    assert reply.message.title == rules.title
    assert reply.message.body == rules.text
    assert "rules" in str(reply.message.footer)
    assert port.calls == []


async def test_other_relevant_sections_are_offered_by_title_at_most_two(
    services: Services, port: RecordingPort
) -> None:
    reply = await ask(services, port, "who can post?")
    assert reply.message.title.startswith("Who can use and post")
    assert len(reply.message.fields) == 1
    related = str(reply.message.fields[0].value).splitlines()
    assert 1 <= len(related) <= 2
    assert all("/guidance " in line for line in related)


async def test_a_section_id_from_a_checker_finding_shows_that_section(
    services: Services, port: RecordingPort
) -> None:
    for section in services.guidance.sections:
        reply = await ask(services, port, section.id)
        assert reply.message.title == section.title
        assert f"Guidance section: {section.id}." in str(reply.message.footer)


async def test_share_posts_it_for_the_channel(services: Services, port: RecordingPort) -> None:
    reply = await ask(services, port, "share swearing")
    assert reply.visibility == "channel"
    assert reply.message.title == "Rules for approved users"
    assert "Shared by sam" in str(reply.message.footer)


async def test_share_alone_shares_the_contents(services: Services, port: RecordingPort) -> None:
    reply = await ask(services, port, "  SHARE ")
    assert reply.visibility == "channel"
    assert reply.message.title == services.guidance.title


async def test_a_misspelling_is_answered_and_the_reading_is_shown(
    services: Services, port: RecordingPort
) -> None:
    reply = await ask(services, port, "oponents")
    assert reply.message.title == "Rules for approved users"
    assert "postgate read “oponents” as “opponents”" in str(reply.message.footer)


async def test_nothing_matching_says_so_and_lists_what_the_guidance_covers(
    services: Services, port: RecordingPort
) -> None:
    reply = await ask(services, port, "xylophone quartz zebra")
    body = str(reply.message.body)
    assert reply.message.title == "Nothing in the guidance matched that"
    assert "“xylophone quartz zebra”" in body
    assert "it may not cover that" in body and "ask the editor or chair" in body
    # Every section, not a guess at the closest as if it were an answer.
    assert body.count("/guidance ") == len(services.lookup.guidance.sections)


@pytest.mark.parametrize(
    "text",
    [
        "🙂🙂🙂",
        "?!",
        "'; DROP TABLE proposals; --",
        "<@U123> <!channel> @everyone",
        "x" * 5000,
        ("can I say the tories are wrong about parking " * 120)[:5000],
        "\x00\u200b\ufeff",
    ],
)
async def test_odd_input_always_gets_a_helpful_private_answer(
    services: Services, port: RecordingPort, text: str
) -> None:
    reply = await ask(services, port, text)
    assert reply.visibility == "private"
    assert reply.message.title
    assert "something went wrong" not in str(reply.message.body)
    assert "/guidance" in reply.message.as_plain_text()
    assert len(str(reply.message.body)) < 4000


def test_the_command_is_registered_with_title_autocomplete(services: Services) -> None:
    spec = find_command("guidance")
    assert spec is not None
    assert spec.autocomplete is not None
    assert "Rules for approved users" in spec.autocomplete(services, "rul")
    assert list(spec.autocomplete(services, "")) == [s.title for s in services.guidance.sections]
    assert "Who is responsible" in spec.autocomplete(services, "responsib")
    assert len(spec.autocomplete(services, "🙂" * 50)) <= 25
