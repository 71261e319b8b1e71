"""Attachments in the local workspace are written to files, and the line says where: the
/stats chart becomes a real PNG; names a handler supplies never escape the folder and
never overwrite a file; a folder that cannot be written costs the file, not the message."""

from __future__ import annotations

import re
from pathlib import Path

from bot.platforms.local.files import AttachmentFolder, safe_name
from bot.platforms.local.platform import LocalPort, LocalWorkspace
from handlers.messages import Attachment, Message
from handlers.port import ChannelRole
from tests.workflow_support import make_services

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ATTACHMENT = re.compile(r"\[attachment: (.+) \((\d+) KB\)\]$")


def written(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def every_file(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def port_writing_to(folder: Path, printed: list[str]) -> LocalPort:
    return LocalPort(
        emit=printed.extend,
        editors=("editor",),
        steering=("chair",),
        files=AttachmentFolder(folder),
    )


async def test_stats_by_an_editor_writes_the_chart_as_a_png(
    database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "charts"
    services = make_services(database_url)
    ws = LocalWorkspace(services=services, files_dir=folder)
    try:
        await ws.send("/as editor")
        first = await ws.send("/stats week")
        second = await ws.send("/stats week")
    finally:
        await services.db.dispose()

    assert not (tmp_path / "postgate-files").exists()  # the folder given, not the default
    chart, again = written(folder)["postgate-kpis.png"], written(folder)["postgate-kpis-2.png"]
    assert chart.startswith(PNG_SIGNATURE) and again.startswith(PNG_SIGNATURE)
    [line] = [line.strip() for line in first if "[attachment:" in line]
    match = _ATTACHMENT.match(line)
    assert match is not None, line
    assert match[1] == "charts/postgate-kpis.png"  # relative to where postgate was started
    assert int(match[2]) == -(-len(chart) // 1024)
    assert any("[attachment: charts/postgate-kpis-2.png (" in line for line in second)


async def test_handler_names_never_escape_the_folder_or_overwrite(tmp_path: Path) -> None:
    folder = tmp_path / "inside" / "postgate-files"
    folder.mkdir(parents=True)
    (folder / "report.png").write_bytes(b"keep me")
    names = [
        "../../escape.png",
        "/etc/passwd",
        "..\\..\\windows.png",
        "..",
        "",
        ".hidden",
        "con.png",
        "report.png",
        "r\u00e9sum\u00e9 \u2713\x1b[31m.png",
        "x" * 500 + ".png",
    ]
    printed: list[str] = []
    port = port_writing_to(folder, printed)
    message = Message(
        body="Files", attachments=tuple(Attachment(n, n.encode() or b"-") for n in names)
    )
    await port.post(channel=ChannelRole.STEERING, message=message)

    assert every_file(tmp_path) == {p for p in folder.iterdir()}  # nothing outside it
    files = written(folder)
    assert len(files) == len(names) + 1
    assert files["report.png"] == b"keep me"
    assert files["report-2.png"] == b"report.png"
    assert files["escape.png"] == b"../../escape.png"
    assert files["passwd"] == b"/etc/passwd"
    assert files["windows.png"] == b"..\\..\\windows.png"
    assert files["hidden"] == b".hidden"
    assert files["file-con.png"] == b"con.png"
    assert files["resume-31m.png"] == "r\u00e9sum\u00e9 \u2713\x1b[31m.png".encode()
    assert {"attachment", "attachment-2"} <= set(files)
    assert all(len(name) <= 100 for name in files)
    shown = [line.strip() for line in printed if "[attachment:" in line]
    assert len(shown) == len(names)
    assert "[attachment: inside/postgate-files/report-2.png (1 KB)]" in shown
    assert not any("\x1b" in line for line in printed)


def test_safe_names() -> None:
    assert safe_name("postgate-kpis.png") == "postgate-kpis.png"
    assert safe_name("a b/c d.png") == "c-d.png"
    assert safe_name("...") == "attachment"
    assert safe_name("chart.") == "chart"
    assert safe_name("NUL") == "file-NUL"


async def test_a_folder_that_cannot_be_written_still_shows_the_message(tmp_path: Path) -> None:
    blocked = tmp_path / "postgate-files"
    blocked.write_text("a file where the folder should be")
    printed: list[str] = []
    port = port_writing_to(blocked, printed)
    message = Message(body="The report", attachments=(Attachment("chart.png", PNG_SIGNATURE),))
    await port.post(channel=ChannelRole.STEERING, message=message)

    assert printed[0] == "[#steering] The report"
    assert printed[1].startswith("  [attachment: chart.png, not saved: ")
    assert printed[1].endswith(" in postgate-files]")
    assert blocked.read_text() == "a file where the folder should be"
