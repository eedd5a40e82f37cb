"""The small enumerations every stage shares. Kept apart from auditor.data.model (msgspec, dataclasses)
so that the command line can offer their values without loading the engine."""

from __future__ import annotations

import enum

from auditor.common.errors import UsageError


class Severity(enum.IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


class Cloud(enum.Enum):
    """National clouds. Graph endpoints live in auditor.graph; guidance variants in auditor.guidance."""

    WORLDWIDE = "worldwide"
    USGOV = "usgov"
    USGOV_DOD = "usgov-dod"
    CHINA = "china"  # operated by 21Vianet
    GERMANY = "germany"


class Locale(enum.Enum):
    EN = "en"
    NL = "nl"
    DA = "da"
    SV = "sv"
    TR = "tr"


class SubjectType(enum.StrEnum):
    """What a finding is about; its value is report.json's `subject.type` (a text equal to it)."""

    USER = "user"
    SKU = "sku"
    SUBSCRIPTION = "subscription"
    WAIVER = "waiver"
    GROUP = "group"


class Format(enum.Enum):
    """Report formats (file names: auditor.report.write.FILE_NAMES)."""

    JSON = "json"
    HTML = "html"
    MD = "md"
    CSV = "csv"

    @classmethod
    def parse_list(cls, text: str) -> tuple[Format, ...]:
        """--format's value: 'json,html' -> (Format.JSON, Format.HTML), each once, in the order given;
        an unknown name, or none, raises UsageError (`audit` and `merge` both take the flag)."""
        names = [part.strip().lower() for part in text.split(",") if part.strip()]
        if not names:
            raise UsageError("--format: name at least one of json, html, md, csv")
        result: list[Format] = []
        for name in names:
            try:
                fmt = cls(name)
            except ValueError:
                raise UsageError(f"--format: unknown format {name!r} (choose from json, html, md, csv)") from None
            if fmt not in result:
                result.append(fmt)
        return tuple(result)


class AccountKind(enum.Enum):
    """What a user object is, from Graph's documented properties (auditor.data.model.account_kind;
    docs/account-kinds.md quotes Microsoft's page behind each). `User.kind` gives it; the person
    rules (disabled-user-licensed, inactive-user-licensed) judge only PERSON and GUEST accounts. BREAK_GLASS
    and SERVICE are the policy's (`account_kinds:`), given on the audit's index (TenantIndex.kind_of)."""

    PERSON = "person"
    GUEST = "guest"  # userType Guest
    SHARED = "shared"  # mailboxSettings.userPurpose shared
    ROOM = "room"  # userPurpose room, without a Teams Rooms license
    EQUIPMENT = "equipment"  # userPurpose equipment
    RESOURCE = "resource"  # a Teams resource account (auto attendant, call queue)
    TEAMS_ROOMS = "teams_rooms"  # an account holding a Teams Rooms license (a Teams Rooms device signs in to it)
    AGENT = "agent"  # a Microsoft Entra agent user (microsoft.graph.agentUser)
    # the kinds an admin declares in a policy (`account_kinds:`), never read from Graph
    BREAK_GLASS = "break_glass"  # an emergency access account
    SERVICE = "service"  # an account a program signs in to

    @property
    def person(self) -> bool:
        """Whether a person signs in to it: the accounts the person rules judge."""
        return self in (AccountKind.PERSON, AccountKind.GUEST)
