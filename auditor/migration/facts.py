"""The Microsoft facts the migration plan relies on, each with the page it comes from.

One home: migration.json's `facts`, migration.md/html and docs/migration.md all list these. A rule
of plan.py names the fact it applies by its id."""

from __future__ import annotations

from dataclasses import dataclass

MAILBOX_PAGE = "https://learn.microsoft.com/microsoft-365/enterprise/cross-tenant-mailbox-migration"
ONEDRIVE_PAGE = "https://learn.microsoft.com/microsoft-365/enterprise/cross-tenant-onedrive-migration"
COMMERCE = "https://learn.microsoft.com/microsoft-365/commerce"


@dataclass(frozen=True)
class Fact:
    id: str
    source: str  # the page that says it
    says: str  # in one line, in English (docs/migration.md explains each in full)

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "source": self.source}


FACTS: tuple[Fact, ...] = (
    Fact(
        "t2t.no_transfer",
        f"{COMMERCE}/licenses/buy-licenses",
        "Licenses cannot be transferred between tenants: buy in the target, then remove or cancel in the "
        "source (Volume Licensing: through the VLSC). The admin help article 'Transfer licenses between "
        "tenants' says so and links this page.",
    ),
    Fact(
        "t2t.vlsc",
        "https://support.microsoft.com/help/4471406",
        "Volume Licensing customers contact the Volume Licensing Service Center.",
    ),
    Fact(
        "t2t.addon",
        f"{MAILBOX_PAGE}#licensing",
        "Cross Tenant User Data Migration: one per moving user, a one-time license assigned on the source or "
        "the target user; it covers the mailbox and OneDrive; without it the move fails.",
    ),
    Fact(
        "t2t.addon_channels",
        f"{MAILBOX_PAGE}#licensing",
        "The add-on is bought as an add-on to Microsoft 365, Office 365, Exchange Online, SharePoint Online "
        "or OneDrive plans (EA, CSP, web direct, EDU).",
    ),
    Fact(
        "t2t.onedrive",
        ONEDRIVE_PAGE,
        "Cross-tenant OneDrive migration needs the same add-on, and target users created before the move.",
    ),
    Fact(
        "t2t.target_mailuser",
        f"{MAILBOX_PAGE}#prepare-target-user-objects-for-migration",
        "The target user is a MailUser stamped with the source's ExchangeGuid (and ArchiveGuid); an Exchange "
        "license assigned before the move makes a mailbox, and the move fails.",
    ),
    Fact(
        "t2t.license_after",
        f"{MAILBOX_PAGE}#prepare-target-user-objects-for-migration",
        "License the target user after the move completes: the moved mailbox has a 30-day grace period.",
    ),
    Fact("t2t.holds", MAILBOX_PAGE, "Mailboxes on any type of hold are not migrated: the move is blocked."),
    Fact(
        "t2t.org_holds",
        "https://learn.microsoft.com/powershell/module/exchange/get-organizationconfig",
        "Organization-wide retention policies do not show on the mailbox: Get-OrganizationConfig lists them "
        "(InPlaceHolds).",
    ),
    Fact(
        "t2t.archive",
        f"{MAILBOX_PAGE}#known-issues",
        "An auto-expanding archive moves with up to 12 auxiliary archives; the move fails if it expands during "
        "the move.",
    ),
    Fact("t2t.same_cloud", MAILBOX_PAGE, "Cross-tenant migration works between tenants of the same cloud only."),
    Fact(
        "shared.license",
        "https://learn.microsoft.com/microsoft-365/admin/email/about-shared-mailboxes",
        "A shared mailbox needs a license only over 50 GB, with an archive, or on hold.",
    ),
    Fact(
        "commerce.windows",
        f"{COMMERCE}/subscriptions/cancel-your-subscription",
        "Seats are removed or a subscription cancelled only at the moments the commerce rules allow (7 days "
        "after a purchase, renewal or seat addition; else at renewal; partners and the VLSC for theirs).",
    ),
    Fact(
        "commerce.lifecycle",
        f"{COMMERCE}/subscriptions/what-if-my-subscription-expires",
        "A cancelled subscription is expired 30 days, disabled 90 days, then deleted (data gone at the latest "
        "180 days after); never delete one: that deletes SharePoint and OneDrive data at once.",
    ),
    Fact(
        "group.licenses",
        "https://learn.microsoft.com/entra/identity/users/licensing-groups-resolve-problems",
        "A license a group assigns is removed through the group, not per user.",
    ),
)
BY_ID = {fact.id: fact for fact in FACTS}
