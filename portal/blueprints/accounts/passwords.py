"""Passwords nobody may choose: the 10,000 most common, from a list bundled with the project
(data/common-passwords.txt; its source and licence are in the LICENSE file beside it). Read
once from disk; no network call."""
import functools
from pathlib import Path

COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common-passwords.txt"
TOO_COMMON = ("This password is one of the most commonly used, so it is easy to guess. "
              "Choose a different one")


@functools.cache
def _common() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def is_common(password: str) -> bool:
    """On the list, ignoring case and spaces ("Pass word 123" is "password123")."""
    candidate = (password or "").strip().lower()
    return candidate in _common() or "".join(candidate.split()) in _common()
