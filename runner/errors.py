"""The one exception tree of the platform; the CLI prints these as one line."""

from __future__ import annotations

import difflib


class ChallengeError(Exception):
    """A problem the user can fix; `exit_code` is what the CLI returns for it."""

    exit_code = 2


class UnknownChallenge(ChallengeError):
    def __init__(self, challenge_id: str, known: list[str]):
        close = difflib.get_close_matches(challenge_id, known, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        super().__init__(
            f"unknown challenge {challenge_id!r}.{hint} Run 'challenge list' to see them all."
        )


class SubmissionInvalid(ChallengeError):
    """The submission cannot be turned into a module (bad zip, bad notebook, ...)."""

    exit_code = 1


class CatalogError(ChallengeError):
    """The catalog itself is broken: a bad challenge.toml, a missing folder."""

    exit_code = 3


class MissingRequirement(ChallengeError):
    """A challenge needs a library that is not installed."""

    exit_code = 1
