"""Documentation pages the guidance is based on: key -> URL.

Titles are localized in the text catalogs under `link.<key>`, except the Graph API reference
pages, whose titles are API names and the same in every language.
"""

from __future__ import annotations

DOCS = "https://docs.microsoft.com"
# "Identify and resolve license assignment problems for a group in Microsoft Entra ID": one section
# per licenseAssignmentState.error value (the anchors are the page's headings).
RESOLVE = "https://learn.microsoft.com/entra/identity/users/licensing-groups-resolve-problems"

URLS: dict[str, str] = {
    "move_users": f"{DOCS}/microsoft-365/commerce/subscriptions/move-users-different-subscription",
    "assign_licenses": f"{DOCS}/microsoft-365/admin/manage/assign-licenses-to-users",
    "unassign_licenses": f"{DOCS}/microsoft-365/admin/manage/remove-licenses-from-users",
    "buy_licenses": f"{DOCS}/microsoft-365/commerce/licenses/buy-licenses",
    "admin_roles": f"{DOCS}/microsoft-365/admin/add-users/about-admin-roles",
    "cancel_subscription": f"{DOCS}/microsoft-365/commerce/subscriptions/cancel-your-subscription",
    "renew_subscription": f"{DOCS}/microsoft-365/commerce/subscriptions/renew-your-subscription",
    "subscription_ends": f"{DOCS}/microsoft-365/commerce/subscriptions/what-if-my-subscription-expires",
    "group_licensing": f"{DOCS}/azure/active-directory/enterprise-users/licensing-groups-assign",
    "group_problems": f"{DOCS}/azure/active-directory/enterprise-users/licensing-groups-resolve-problems",
    "resolve_find": f"{RESOLVE}#find-license-assignment-errors",
    "resolve_count": f"{RESOLVE}#not-enough-licenses",  # CountViolation
    "resolve_conflict": f"{RESOLVE}#conflicting-service-plans",  # MutuallyExclusiveViolation
    "resolve_dependency": f"{RESOLVE}#other-products-depend-on-this-license",  # DependencyViolation
    "resolve_location": f"{RESOLVE}#usage-location-isnt-allowed",  # ProhibitedInUsageLocationViolation
    "resolve_proxy": f"{RESOLVE}#duplicate-proxy-addresses",  # UniquenessViolation
    "resolve_reprocess": f"{RESOLVE}#force-group-license-processing-to-resolve-errors",
    "vlsc": "https://support.microsoft.com/help/4471406/how-to-contact-the-microsoft-volume-licensing-service-center",
    "mailbox_migration": f"{DOCS}/Exchange/mailbox-migration/migrate-mailboxes-across-tenants",
    "sharepoint_migration": "https://aka.ms/modernSpoAdminCenter/CloudContentMigrations",
    "shared_mailbox": f"{DOCS}/microsoft-365/admin/email/about-shared-mailboxes",
}

# The date of the page a block of steps follows, as the page gives it (ms.date): the report says
# which page and date the steps come from, so a reader can tell when the admin center has moved on.
# move_users: "Move users to a different subscription", the nl-NL copy the replace steps follow
# (ms.date 07/01/2020; docs/guidance.md, "Where the steps come from").
PAGE_DATES: dict[str, str] = {"move_users": "2020-07-01"}

# Pages with a variant per cloud: their link carries the view of the report's cloud (clouds.VIEW).
PER_CLOUD: frozenset[str] = frozenset({"move_users"})

# Graph API reference: (title, URL); titles are API names, not translated.
GRAPH: dict[str, tuple[str, str]] = {
    "user_assign": ("Microsoft Graph: user: assignLicense", f"{DOCS}/graph/api/user-assignlicense"),
    "group_assign": ("Microsoft Graph: group: assignLicense", f"{DOCS}/graph/api/group-assignlicense"),
    "group_remove_member": ("Microsoft Graph: group: remove member", f"{DOCS}/graph/api/group-delete-members"),
    "user_reprocess": (
        "Microsoft Graph: user: reprocessLicenseAssignment",
        f"{DOCS}/graph/api/user-reprocesslicenseassignment",
    ),
    "group_errors": (
        "Microsoft Graph: group: list membersWithLicenseErrors",
        "https://learn.microsoft.com/graph/api/resources/group#relationships",
    ),
    "user_update": ("Microsoft Graph: user: update", f"{DOCS}/graph/api/user-update"),
    "user_list": ("Microsoft Graph: user: list", f"{DOCS}/graph/api/user-list"),
}
