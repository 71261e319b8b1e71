"""A draft with several masked links, end to end on Discord: none is live on the card
or in the approved post."""

from __future__ import annotations

from tests.fakes.discord_server import APPROVED_CHANNEL, EDITOR_ROLE, FakeDiscord
from tests.platforms.discord.test_flow import (
    ERIN,
    PAT,
    TOKEN,
    everything,
    propose,
    running,
    settings_for,
)
from tests.platforms.discord.test_render import LIVE_LINK

DRAFT = (
    "Our street stall is on Saturday: [details](https://evil.example/one) and "
    "[donate here](https://evil.example/two), or [both](https://evil.example/three)."
)


async def test_no_link_is_live_on_the_card_or_in_the_approved_post(database_url: str) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        fake.add_member(PAT, "Pat", roles=[])
        fake.add_member(ERIN, "Erin", roles=[EDITOR_ROLE])
        async with running(settings_for(fake, database_url)):
            card = await propose(fake, DRAFT)
            await fake.react(message_id=card.id, user_id=ERIN, emoji="✅")
            await fake.wait_for(lambda: fake.channel_messages(APPROVED_CHANNEL))
        (approved,) = fake.channel_messages(APPROVED_CHANNEL)
        for shown in (everything(card), everything(approved)):
            assert "donate here" in shown
            assert not LIVE_LINK.search(shown), shown
            assert shown.count("\\[") == 3
