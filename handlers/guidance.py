"""`/guidance [share] [QUESTION | SECTION_ID]`: the party's guidance, found by what people type.

- `/guidance`: the contents, each section with its summary and how to ask for it.
- `/guidance QUESTION`: the best section in full, plus up to two others by title.
- `/guidance SECTION_ID` (as every checker finding names): that section.
- `/guidance share ...`: the same answer, posted for the whole channel.

Replies are private unless shared. The command line (`postgate guidance`) prints
the same `Message` these functions build.
"""

from __future__ import annotations

from collections.abc import Sequence

from guidance.lookup.lookup import GuidanceIndex, Lookup
from guidance.sections import Guidance, Section
from handlers.commands.spec import Arg, ArgKind, Call, Command, Subcommand
from handlers.context import Context, Services
from handlers.events import Reply
from handlers.messages import Message, MessageField, Tone

EXAMPLE_QUESTION = "can I reply to a Tory councillor?"
_ECHO_LIMIT = 80  # how much of a member's question a reply repeats back


def split_share(text: str) -> tuple[bool, str]:
    """`share QUERY` -> (True, QUERY); anything else -> (False, text)."""
    stripped = text.strip()
    head, _, rest = stripped.partition(" ")
    if head.lower() == "share":
        return True, rest.strip()
    return False, stripped


def contents_message(guidance: Guidance, *, note: str = "") -> Message:
    """Every section: title, one-line summary and the command that shows it."""
    entries = [
        f"{s.title}\n    {s.summary or _first_line(s.text)}\n    /guidance {s.id}"
        for s in guidance.sections
    ]
    body = "\n\n".join(entries)
    return Message(
        title=guidance.title,
        body=f"{note}\n\n{body}" if note else body,
        footer=(
            f"You can also ask in your own words, e.g. /guidance {EXAMPLE_QUESTION} "
            "Add share (/guidance share rules) to post the answer for everyone."
        ),
        tone=Tone.INFO,
    )


def section_message(
    section: Section,
    *,
    related: Sequence[Section] = (),
    lookup: Lookup | None = None,
    shared_by: str = "",
) -> Message:
    """One section in full; its id in the footer so people can cite and share it."""
    footer = [f"Guidance section: {section.id}. Show it again with /guidance {section.id}."]
    if lookup is not None and lookup.corrections:
        read_as = ", ".join(f"“{c.typed}” as “{c.understood}”" for c in lookup.corrections)
        footer.append(f"(postgate read {read_as}.)")
    if shared_by:
        footer.append(f"Shared by {shared_by}.")
    fields: tuple[MessageField, ...] = ()
    if related:
        fields = (
            MessageField(
                name="Also relevant",
                value="\n".join(f"{s.title}: /guidance {s.id}" for s in related),
            ),
        )
    return Message(
        title=section.title,
        body=section.text,
        fields=fields,
        footer=" ".join(footer),
        tone=Tone.INFO,
    )


def no_match_message(lookup: Lookup, guidance: Guidance) -> Message:
    """Nothing fits well: say so plainly and list what the guidance does cover, rather
    than offer the closest sections as if they were answers."""
    covers = "\n".join(f"* {s.title}: /guidance {s.id}" for s in guidance.sections)
    return Message(
        title="Nothing in the guidance matched that",
        body=(
            f"postgate could not find {_echo(lookup.query)} in the guidance, so it may not "
            "cover that. If you are unsure about a post, ask the editor or chair before you "
            f"post it. The guidance covers:\n{covers}"
        ),
        footer="Or ask in other words.",
        tone=Tone.INFO,
    )


def answer_message(index: GuidanceIndex, query: str, *, shared_by: str = "") -> Message:
    """The answer to `/guidance QUERY` (the contents when QUERY is blank)."""
    if not query.strip():
        return contents_message(index.guidance)
    lookup = index.lookup(query, limit=3)
    best = lookup.best
    if best is not None:
        return section_message(
            best.section,
            related=[h.section for h in lookup.hits[1:3]],
            lookup=lookup,
            shared_by=shared_by,
        )
    if not lookup.searchable:
        note = f"postgate found no words to look up in {_echo(query)}. The guidance covers:"
        return contents_message(index.guidance, note=note)
    return no_match_message(lookup, index.guidance)


async def guidance_command(call: Call, ctx: Context) -> Reply:
    invocation = call.invocation
    share, query = split_share(call.text("question"))
    index = ctx.services.lookup
    shared_by = (invocation.actor.name or invocation.actor.id) if share else ""
    message = answer_message(index, query, shared_by=shared_by)
    return Reply(message, visibility="channel" if share else "private")


def autocomplete_titles(services: Services, prefix: str) -> list[str]:
    """Section titles for Discord's autocomplete, those matching what is typed first."""
    return services.lookup.titles_starting(prefix, limit=25)


def _echo(query: str) -> str:
    """A member's words, quoted and shortened, for a reply to repeat back."""
    flat = " ".join(query.split())
    if len(flat) > _ECHO_LIMIT:
        flat = flat[: _ECHO_LIMIT - 1].rstrip() + "…"
    return f"“{flat}”"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


GUIDANCE = Command(
    name="guidance",
    summary="Read the party's social media guidance, or ask it a question",
    subcommands=(
        Subcommand(
            name="ask",
            summary="the contents, a section, or the sections that answer a question",
            handler=guidance_command,
            args=(
                Arg(
                    name="question",
                    shown="[share] [QUESTION or SECTION]",
                    kind=ArgKind.TEXT,
                    description="a question, a section (e.g. rules), or share + question",
                    optional=True,
                ),
            ),
            keyword=False,
        ),
    ),
    plain="ask",
    arg_description="a question, a section (e.g. rules), or share + question",
    autocomplete=autocomplete_titles,
)
