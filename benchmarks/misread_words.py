"""English words the checker would misread as a misspelt or run-together listed word.

    .venv/bin/python benchmarks/misread_words.py /usr/share/dict/british-english

Run after adding words to the policy, with any English word list (Debian's `wbritish`
package has one). Each word it prints belongs in policy.yaml under `misspellings:
real_words`, so that "wore" is never read as a slur or "pike" as "pikey". It prints
nothing when the policy is already safe against the list.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from guidance.checker.checker import Checker  # noqa: E402


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: misread_words.py WORDLIST (one word a line)")
    checker = Checker()
    words = {
        line.strip().lower()
        for line in Path(sys.argv[1]).read_text(encoding="utf-8", errors="ignore").splitlines()
    }
    misread = sorted(w for w in words if w.isascii() and w.isalpha() and checker.misreads(w))
    print("\n".join(misread))


if __name__ == "__main__":
    main()
