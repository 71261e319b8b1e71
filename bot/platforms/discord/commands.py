"""Every declared command as a Discord app command, registered in one loop.

Each command is declared once (`handlers.commands`): a command with several forms is
a group of subcommands, each with typed options (a number is an integer option), and
the options become the line a member would type, read like any other platform's.
A command that opens a form when empty (`/propose new`) shows a modal with a
paragraph input instead; its submission becomes the same `Invocation`. Every call
is deferred at once (Discord allows 3 seconds to answer), then goes through
`handlers.dispatch.run_command`, and the reply follows: ephemeral when private, a
message in the channel otherwise.

Before the defer (Discord's ack) each call is received (`handlers.delivery`) under
its interaction id, so a stop between the defer and the answer loses nothing: the
next start runs it and answers by direct message.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Optional

import discord
from discord import app_commands

from bot.platforms.discord.events import RoleMap, invocation_from
from bot.platforms.discord.port import send_part
from bot.platforms.discord.render import DiscordMessage, render
from handlers.commands.registry import all_commands
from handlers.commands.spec import Arg, ArgKind, Command, Subcommand
from handlers.delivery import Deliveries, NotReceived
from handlers.events import Reply
from handlers.messages import Message, Tone
from handlers.textsplit import clip

log = logging.getLogger(__name__)

NAME_LIMIT = 32
DESCRIPTION_LIMIT = 100
CHOICES_LIMIT = 25
MODAL_TITLE_LIMIT = 45
MODAL_INPUT_LIMIT = 4000  # Discord's maximum for a text input

Interaction = discord.Interaction[discord.Client]
Choice = app_commands.Choice[str]
OnText = Callable[[Interaction, str], Awaitable[None]]
AppCommand = app_commands.Command[app_commands.Group, ..., None]


class TextForm(discord.ui.Modal):
    """The multi-line form an empty `/propose` opens."""

    def __init__(self, *, spec: Command, on_text: OnText) -> None:
        super().__init__(title=clip(f"/{spec.name}", MODAL_TITLE_LIMIT), timeout=15 * 60)
        # The label is short on Discord; the description's first clause names the input
        # ("your draft post"), and the whole description shows as the placeholder.
        first = spec.arg_description.split(",")[0].strip() or "Text"
        self.text: discord.ui.TextInput[TextForm] = discord.ui.TextInput(
            label=clip(first[:1].upper() + first[1:], MODAL_TITLE_LIMIT),
            placeholder=clip(spec.arg_description, DESCRIPTION_LIMIT),
            style=discord.TextStyle.paragraph,
            max_length=MODAL_INPUT_LIMIT,
            required=True,
        )
        self.add_item(self.text)
        self._on_text = on_text

    async def on_submit(self, interaction: Interaction) -> None:
        await self._on_text(interaction, self.text.value)


class CommandBridge:
    """Turns interactions into `Invocation`s and `Reply`s back into Discord responses."""

    def __init__(
        self,
        *,
        deliveries: Deliveries,
        role_map: RoleMap,
        guild_id: int,
    ) -> None:
        self._deliveries = deliveries
        self._role_map = role_map
        self._guild_id = guild_id

    def register(self, tree: app_commands.CommandTree[discord.Client]) -> None:
        guild = discord.Object(self._guild_id)
        for spec in all_commands():
            tree.add_command(self._app_command(spec), guild=guild, override=True)

    def _app_command(self, spec: Command) -> AppCommand | app_commands.Group:
        """One command as Discord shows it: a group of typed subcommands, or, for a
        command with one form only, that form's options on the command itself."""
        if len(spec.subcommands) == 1:
            return self._form(spec, spec.plain_subcommand, name=spec.name, summary=spec.summary)
        group = app_commands.Group(
            name=clip(spec.name.lower(), NAME_LIMIT),
            description=clip(spec.summary, DESCRIPTION_LIMIT),
        )
        for sub in spec.subcommands:
            group.add_command(self._form(spec, sub, name=sub.name, summary=sub.summary))
        return group

    def _form(self, spec: Command, sub: Subcommand, *, name: str, summary: str) -> AppCommand:
        form = spec.opens_form_when_empty and sub.name == spec.plain  # empty: the form opens

        # The plain form named as a subcommand (/propose new): its text is never read as
        # another subcommand's line.
        plain = sub.name == spec.plain and len(spec.subcommands) > 1

        async def callback(interaction: Interaction, **values: Any) -> None:
            await self.invoked(interaction, spec=spec, text=_as_text(sub, values), plain=plain)

        # discord.py reads the options off the callback's signature: one typed,
        # described parameter per declared argument.
        callback.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [
                inspect.Parameter(
                    "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Interaction
                ),
                *(_parameter(arg, optional=arg.optional or form) for arg in sub.args),
            ]
        )
        if sub.args:
            app_commands.describe(
                **{a.name: clip(a.description, DESCRIPTION_LIMIT) for a in sub.args}
            )(callback)
        for arg in sub.args:
            if arg.choices:
                app_commands.choices(**{arg.name: [Choice(name=c, value=c) for c in arg.choices]})(
                    callback
                )
        command: AppCommand = app_commands.Command(
            name=clip(name.lower(), NAME_LIMIT),
            description=clip(summary, DESCRIPTION_LIMIT),
            callback=callback,
        )
        text_args = [a for a in sub.args if a.kind is ArgKind.TEXT]
        if spec.autocomplete is not None and sub.name == spec.plain and text_args:
            command.autocomplete(text_args[0].name)(self._completer(spec))
        return command

    def _completer(
        self, spec: Command
    ) -> Callable[[Interaction, str], Coroutine[Any, Any, list[Choice]]]:
        services = self._deliveries.ctx.services
        suggest = spec.autocomplete
        assert suggest is not None

        async def complete(
            _interaction: Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            try:
                options = suggest(services, current)
            except Exception:
                log.exception("autocomplete for /%s failed", spec.name)
                return []
            return [
                app_commands.Choice(
                    name=clip(option, DESCRIPTION_LIMIT), value=option[:DESCRIPTION_LIMIT]
                )
                for option in list(options)[:CHOICES_LIMIT]
            ]

        return complete

    async def invoked(
        self, interaction: Interaction, *, spec: Command, text: str, plain: bool = False
    ) -> None:
        if interaction.guild_id != self._guild_id:
            await interaction.response.send_message(
                "postgate works in its own server only.", ephemeral=True
            )
            return
        if spec.opens_form_when_empty and not text.strip():

            async def submitted(form_interaction: Interaction, value: str) -> None:
                await self._run(form_interaction, spec=spec, text=value, plain=plain)

            await interaction.response.send_modal(TextForm(spec=spec, on_text=submitted))
            return
        await self._run(interaction, spec=spec, text=text, plain=plain)

    async def _run(
        self, interaction: Interaction, *, spec: Command, text: str, plain: bool = False
    ) -> None:
        invocation = invocation_from(
            interaction,
            command=spec.name,
            text=text,
            plain=plain,
            role_map=self._role_map,
            guild_id=self._guild_id,
        )
        # Interaction ids are snowflakes, unique across Discord; a modal's submission is an
        # interaction of its own.
        key = f"discord-interaction:{interaction.id}"
        with self._deliveries.in_progress():
            # Received before the defer: once Discord has its ack, the command is not lost.
            try:
                new = await self._deliveries.receive(key=key, event=invocation)
            except NotReceived as refused:  # nothing was changed: say why instead
                part = render(refused.reply.message)[0]
                await interaction.response.send_message(
                    content=part.content or None, embeds=list(part.embeds), ephemeral=True
                )
                return
            # Then defer at once: checking, storing and posting may take longer than 3 s.
            await interaction.response.defer(ephemeral=True, thinking=True)
            if new:
                answer = functools.partial(self._answer, interaction)
                await self._deliveries.run(key=key, event=invocation, answer=answer)

    async def _answer(self, interaction: Interaction, reply: Reply) -> None:
        parts = render(reply.message)
        channel_id = interaction.channel_id
        # Private, or no channel to post in (then it is shown to the caller instead).
        if reply.visibility == "private" or channel_id is None:
            for part in parts:
                await _followup(interaction, part)
            return
        channel = interaction.client.get_partial_messageable(channel_id)
        for part in parts:
            await send_part(channel, part)
        # The ephemeral "thinking..." placeholder has nothing left to say.
        await interaction.delete_original_response()


def _parameter(arg: Arg, *, optional: bool) -> inspect.Parameter:
    kind: Any = int if arg.kind is ArgKind.NUMBER else str
    return inspect.Parameter(
        arg.name,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Optional[kind] if optional else kind,  # noqa: UP045 (read at run time)
        default=None if optional else inspect.Parameter.empty,
    )


def _as_text(sub: Subcommand, values: dict[str, Any]) -> str:
    """The options as the line a member would type, so every platform's commands go
    through the same reading: `withdraw 4`, or the plain form's own text."""
    words = [sub.name] if sub.keyword else []
    words += [str(values[a.name]) for a in sub.args if values.get(a.name) is not None]
    return " ".join(words)


async def _followup(interaction: Interaction, part: DiscordMessage) -> None:
    await interaction.followup.send(
        content=part.content or discord.utils.MISSING,
        embeds=list(part.embeds),
        files=part.discord_files(),
        allowed_mentions=part.allowed_mentions,
        ephemeral=True,
    )


SORRY = Message(
    body="Sorry, postgate could not answer that just now. Please try again in a minute.",
    tone=Tone.DANGER,
)
