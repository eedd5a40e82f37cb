"""Errors the auditor raises, and the exit code each one maps to.

    AuditorError                 base class; never raised directly
    +-- UsageError               bad command line                          -> exit 2
    +-- PolicyError              bad policy file(s); carries PolicyIssue list -> exit 2
    +-- SnapshotError            unreadable or invalid snapshot file        -> exit 2
    +-- BillingFileError         bad --billing CSV (file:line:column)      -> exit 2
    +-- CollectionError          Graph request failed / incomplete data    -> exit 3
    |   +-- AuthError            credential or token problem                -> exit 3
    |   +-- Stopped              ended from outside (--tenant-timeout)      -> exit 3
    +-- DeliveryError            e-mail could not be delivered              -> exit 4

Exit codes: 0 = no unwaived finding at or above --fail-on; 1 = such findings;
2 = usage, policy or snapshot error; 3 = collection error or incomplete tenant data;
4 = report written but e-mail delivery failed; 5 = internal error (a defect).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_COLLECTION = 3
EXIT_DELIVERY = 4
EXIT_INTERNAL = 5  # a defect, not bad input: reported in one line, traceback with LICENSE_AUDITOR_DEBUG=1


class AuditorError(Exception):
    """Base of every error the auditor reports to the user."""

    exit_code = EXIT_USAGE


class UsageError(AuditorError):
    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class PolicyIssue:
    """One problem in a policy file, located as precisely as the YAML allows."""

    file: str
    line: int  # 1-based; 0 when unknown
    column: int  # 1-based; 0 when unknown
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}: {self.message}"
        return f"{self.file}: {self.message}"


class PolicyError(AuditorError):
    exit_code = EXIT_USAGE

    def __init__(self, issues: list[PolicyIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


class SnapshotError(AuditorError):
    exit_code = EXIT_USAGE


class BillingFileError(AuditorError):
    """A bad `--billing` CSV: the file, the line and the column (1-based; 0 when not one cell)."""

    exit_code = EXIT_USAGE

    def __init__(self, file: str, line: int, column: int, message: str) -> None:
        self.file, self.line, self.column, self.reason = file, line, column, message
        where = f"{file}:{line}:{column}" if column else f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")


class CollectionError(AuditorError):
    """A Graph read failed; the message names the request and what to do."""

    exit_code = EXIT_COLLECTION


class AuthError(CollectionError):
    pass


class Stopped(CollectionError):
    """The audit was ended from outside before it finished (StopSignal)."""


class StopSignal:
    """Ends a running audit from another thread: `audit --tenants` sets it when a tenant runs past
    --tenant-timeout (auditor.fleet.run). The Graph collection in progress is cancelled at once
    (on_set), and the audit checks it before it writes its reports and before it sends anything."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self._lock = threading.Lock()
        self._set = False
        self._hooks: list[Callable[[], None]] = []

    def set(self) -> None:
        with self._lock:
            self._set, hooks, self._hooks = True, self._hooks, []
        for hook in hooks:
            hook()

    def on_set(self, hook: Callable[[], None]) -> Callable[[], None]:
        """Call `hook` when the signal is set (at once if it is); returns what takes the hook back."""
        with self._lock:
            if not self._set:
                self._hooks.append(hook)
                return lambda: self._forget(hook)
        hook()
        return lambda: None

    def _forget(self, hook: Callable[[], None]) -> None:
        with self._lock:
            if hook in self._hooks:
                self._hooks.remove(hook)

    def check(self) -> None:
        """Raise Stopped when the signal is set."""
        with self._lock:
            stopped = self._set
        if stopped:
            raise Stopped(self.reason)


class DeliveryError(AuditorError):
    exit_code = EXIT_DELIVERY


# --- messages for a log ------------------------------------------------------------------------

_BEARER = re.compile(r"(?i)\b(bearer|authorization:?)(\s+)[A-Za-z0-9\-._~+/]{8,}=*")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# bidirectional controls (the Arabic letter mark, left-to-right and right-to-left marks, embeddings,
# overrides and isolates: U+202E shows what follows backwards) and tag characters (invisible text)
_BIDI_AND_TAGS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]")
_WORKFLOW_COMMAND = re.compile(r"^(\s*)::", re.M)
# The legacy form, which the runner still reads anywhere in a line: "##[", also with characters
# between that a culture-aware comparison may skip (soft hyphen, zero-width and bidi marks)
_IGNORABLE = (
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\ufe00-\ufe0f\ufeff]*"
)
_LEGACY_COMMAND = re.compile(f"#{_IGNORABLE}#{_IGNORABLE}\\[")
MASK = "***"


def console_line(text: str) -> str:
    """One line of a run's console (apply, undo): clean_message, with its line breaks made spaces, so
    that a name a tenant gave (an organisation's, a group's) cannot start a line that reads as the
    run's own ("      -> done")."""
    return clean_message(text).replace("\n", " ")


def clean_message(text: str) -> str:
    """`text` made safe for stderr and CI logs, where it may carry what a server or a tenant sent.

    Bearer tokens and JWTs are masked (a 401 body may echo the Authorization header), control
    characters (ANSI escapes, CR, NUL) become spaces, bidirectional controls and tag characters are
    removed (they make a line read otherwise than it is), and a line cannot start a GitHub workflow
    command, as the GitHub runner reads them (actions/runner, ActionCommand.TryParseV2 and
    TryParse): "::" at a line start, after any white space (`::warning ::`, `::add-mask::`), becomes
    ": :", and the legacy "##[" (`##[warning]`, `##[add-mask]`), which the runner finds anywhere in
    a line, becomes "# #[". Newlines stay, so multi-line messages (policy errors) keep their lines."""
    text = _BEARER.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    text = _JWT.sub(MASK, text)
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n"))
    text = _BIDI_AND_TAGS.sub("", text)
    text = _LEGACY_COMMAND.sub("# #[", text)
    return _WORKFLOW_COMMAND.sub(r"\1: :", text)
