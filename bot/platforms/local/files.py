"""Attachments in the local workspace, written to files so they can be opened (the /stats
chart is a PNG like any other picture).

The name a handler gives an attachment is only a suggestion: it is cut down to its last
part and to plain characters, so it can never point outside the folder, and a name
already taken gets a number (`postgate-kpis-2.png`) instead of overwriting anything.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from pathlib import Path

from handlers.messages import Attachment

log = logging.getLogger(__name__)

FOLDER_NAME = "postgate-files"
MAX_STEM = 80
MAX_SUFFIX = 10
MAX_TRIES = 10_000
FALLBACK_NAME = "attachment"
_SEPARATORS = re.compile(r"[\\/]")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Names Windows keeps for devices: a file called `con.png` cannot be opened there.
_DEVICES = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10))} | {
    f"lpt{n}" for n in range(10)
}


def default_folder() -> Path:
    """`postgate-files/` under the working directory."""
    return Path.cwd() / FOLDER_NAME


def _split(name: str) -> tuple[str, str]:
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        return name, ""
    return stem, "." + suffix


def safe_name(filename: str) -> str:
    """A plain file name for `filename`: no folders, no leading dots, nothing but
    letters, digits, dots, dashes and underscores, and not too long."""
    last = _SEPARATORS.split(filename)[-1]
    ascii_only = unicodedata.normalize("NFKD", last).encode("ascii", "ignore").decode()
    name = _UNSAFE.sub("-", ascii_only).strip(".-_")
    stem, suffix = _split(name)
    stem, suffix = stem.strip(".-_")[:MAX_STEM], suffix[: MAX_SUFFIX + 1].rstrip(".-_")
    if suffix == ".":
        suffix = ""
    if not stem:
        stem = FALLBACK_NAME
    if stem.split(".")[0].lower() in _DEVICES:
        stem = f"file-{stem}"
    return stem + suffix


def _size(size: int) -> str:
    return f"{math.ceil(size / 1024)} KB"


def _shown(path: Path) -> str:
    """The path as the member can use it: relative to where they started postgate when
    it is below that, in full otherwise."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


class AttachmentFolder:
    """Writes attachments into one folder, created when the first one arrives."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def save(self, attachment: Attachment) -> Path:
        """Write the attachment to a new file and return its path. Never overwrites."""
        self.path.mkdir(parents=True, exist_ok=True)
        stem, suffix = _split(safe_name(attachment.filename))
        for number in range(1, MAX_TRIES + 1):
            name = f"{stem}{suffix}" if number == 1 else f"{stem}-{number}{suffix}"
            target = self.path / name
            try:
                # Exclusive creation: an existing file (or link) of that name is left alone.
                with target.open("xb") as file:
                    file.write(attachment.content)
            except FileExistsError:
                continue
            return target
        raise FileExistsError(f"{MAX_TRIES} files called {stem}{suffix} already")

    def label(self, attachment: Attachment) -> str:
        """What the terminal shows for the attachment: where it was written and its size,
        or why it could not be (the message itself is shown either way)."""
        try:
            path = self.save(attachment)
        except OSError as exc:
            log.warning("could not write the attachment %r: %s", attachment.filename, exc)
            reason = exc.strerror or type(exc).__name__
            return f"{attachment.filename}, not saved: {reason} in {_shown(self.path)}"
        return f"{_shown(path)} ({_size(len(attachment.content))})"
