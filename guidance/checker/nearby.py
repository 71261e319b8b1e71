"""Words from several lists close together: the matching behind a rule's `near:` entries."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence

from guidance.checker.lexicon import Hit
from guidance.checker.tokens import Token


def combinations(
    tokens: Sequence[Token],
    lists: list[list[Hit]],
    *,
    within: int,
    ordered: bool,
    across: bool,
) -> Iterator[list[Hit]]:
    """A hit from every list (in the lists' order) close to a hit of the first list."""
    anchors, others = lists[0], lists[1:]
    starts = [[h.first for h in other] for other in others]
    for anchor in anchors:
        chosen = [anchor]
        previous = anchor
        for other, firsts in zip(others, starts, strict=True):
            low = bisect_left(firsts, (previous.last if ordered else anchor.first) - within - 8)
            best: Hit | None = None
            best_gap = within + 1
            for hit in other[low:]:
                if hit.first > (previous.last if ordered else anchor.last) + within:
                    break
                if ordered:
                    gap = hit.first - previous.last
                elif hit.first > anchor.last:
                    gap = hit.first - anchor.last
                else:
                    gap = anchor.first - hit.last
                if gap < 1 or gap >= best_gap:
                    continue
                if not across and tokens[hit.first].sentence != tokens[anchor.first].sentence:
                    continue
                best, best_gap = hit, gap
            if best is None:
                break
            chosen.append(best)
            previous = best
        else:
            yield chosen
