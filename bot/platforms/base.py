"""What every platform adapter offers the runtime."""

from __future__ import annotations

from typing import Protocol

from handlers.port import ChatPort


class Platform(Protocol):
    @property
    def name(self) -> str:
        """`local`, `slack` or `discord`."""
        ...

    @property
    def workspace(self) -> str:
        """The workspace key rows are stored under (known once `start` has returned)."""
        ...

    @property
    def port(self) -> ChatPort: ...

    async def start(self) -> None:
        """Connect and begin serving; return once ready."""
        ...

    async def wait_closed(self) -> None:
        """Return when the platform ends by itself (the local workspace at end of input);
        network platforms run until stopped."""
        ...

    async def stop(self) -> None:
        """Disconnect cleanly; safe to call twice."""
        ...
