"""The guidance document, split into sections with stable ids.

Format (Markdown): `## Title {#section-id}` starts a section; an optional first
line `Summary: ...` is the one-line summary for the contents list; everything
else is the party's text, kept verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

_HEADING = re.compile(r"^##\s+(?P<title>.+?)\s*\{#(?P<id>[a-z0-9][a-z0-9-]*)\}\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


class GuidanceError(ValueError):
    """The guidance file cannot be used; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    summary: str
    text: str


@dataclass(frozen=True, slots=True)
class Guidance:
    title: str
    preamble: str
    sections: tuple[Section, ...]

    def get(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(s.id for s in self.sections)


def parse_guidance(source: str, *, origin: str = "guidance") -> Guidance:
    """Split a guidance document into sections, or raise `GuidanceError`."""
    source = _COMMENT.sub("", source)
    title = ""
    preamble: list[str] = []
    sections: list[Section] = []
    current: tuple[str, str, int] | None = None
    summary = ""
    body: list[str] = []

    def close() -> None:
        if current is None:
            return
        section_id, section_title, line_no = current
        text = "\n".join(body).strip()
        if not text:
            raise GuidanceError(f"{origin}, line {line_no}: section {section_id!r} has no text")
        sections.append(Section(section_id, section_title, summary, text))

    for line_no, line in enumerate(source.splitlines(), start=1):
        if line.startswith("## "):
            match = _HEADING.match(line)
            if match is None:
                raise GuidanceError(
                    f"{origin}, line {line_no}: {_shorten(line)!r} is not a section heading; "
                    "a heading must look like '## Title {#section-id}' (the id in lower case: "
                    "letters, digits and hyphens, e.g. {#who-can-post})"
                )
            close()
            if match["id"] in {s.id for s in sections}:
                raise GuidanceError(
                    f"{origin}, line {line_no}: section id {match['id']!r} is used twice"
                )
            current = (match["id"], match["title"], line_no)
            summary, body = "", []
        elif current is None:
            if line.startswith("# ") and not title:
                title = line[2:].strip()
            else:
                preamble.append(line)
        elif not body and not summary and line.startswith("Summary:"):
            summary = line.removeprefix("Summary:").strip()
        else:
            body.append(line)
    close()
    if not sections:
        raise GuidanceError(
            f"{origin}: no sections found; start each with a line '## Title {{#section-id}}'"
        )
    return Guidance(
        title=title or "Guidance", preamble="\n".join(preamble).strip(), sections=tuple(sections)
    )


def load_guidance(path: Path | None = None) -> Guidance:
    """The party's guidance: `path` (POSTGATE_GUIDANCE) or the shipped default."""
    if path is None:
        source = resources.files("guidance").joinpath("guidance.md").read_text(encoding="utf-8")
        return parse_guidance(source, origin="the shipped guidance")
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise GuidanceError(
            f"the guidance file {path} does not exist (check POSTGATE_GUIDANCE)"
        ) from exc
    except IsADirectoryError as exc:
        raise GuidanceError(
            f"{path} is a folder; POSTGATE_GUIDANCE must name the guidance file itself"
        ) from exc
    except UnicodeDecodeError as exc:
        raise GuidanceError(
            f"the guidance file {path} is not UTF-8 text; save it as UTF-8 and try again"
        ) from exc
    except OSError as exc:
        raise GuidanceError(f"cannot read the guidance file {path}: {exc.strerror}") from exc
    return parse_guidance(source, origin=str(path))


def _shorten(line: str, limit: int = 60) -> str:
    return line if len(line) <= limit else line[: limit - 1] + "…"
