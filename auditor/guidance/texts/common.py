"""The guidance texts several rules share: words, roles, links, Graph call descriptions, next steps,
and the summaries and steps of the shared remediation pieces (auditor/guidance/library.py). A rule's own
texts are declared on the rule (declare.py).
"""

from __future__ import annotations

from .declare import Declared, Steps, Text

TEXTS: tuple[Declared, ...] = (
    Text("word.or", "or"),
    Text("word.none", "none"),
    Text("word.unknown", "unknown"),
    Text("word.state.enabled", "Active"),
    Text("word.state.warning", "Expired"),
    Text("word.state.suspended", "Disabled"),
    Text("word.state.lockedout", "Disabled"),
    Text("word.state.deleted", "Deleted"),
    # Graph's capabilityStatus said beside the state, as the seats table's columns name it
    Text("word.state_value.warning", "Warning"),
    Text("word.state_value.suspended", "Suspended"),
    Text("word.state_value.lockedout", "LockedOut"),
    # licenseAssignmentState.error, in the words of "Identify and resolve license assignment problems
    # for a group" (Microsoft Entra ID); Graph's value is said beside them
    Text("word.error.countviolation", "not enough licenses"),
    Text("word.error.mutuallyexclusiveviolation", "conflicting service plans"),
    Text("word.error.dependencyviolation", "another product depends on this license"),
    Text("word.error.prohibitedinusagelocationviolation", "not offered in the usage location"),
    Text("word.error.uniquenessviolation", "duplicate proxy addresses"),
    # the security features of the entitlement rules (auditor/impact/entitlement_scope.py FEATURES)
    Text("word.feature.conditional_access", "Conditional Access"),
    Text("word.feature.risk_based_access", "risk-based Conditional Access"),
    Text("word.feature.privileged_access", "Privileged Identity Management"),
    Text("word.feature.dynamic_groups", "dynamic groups"),
    Text("word.feature.group_licensing", "group-based licensing"),
    Text("word.feature.intune", "Intune device management"),
    Text("word.feature.access_reviews", "access reviews"),
    Text("word.feature.entitlement_management", "entitlement management"),
    Text("word.feature.lifecycle_workflows", "lifecycle workflows"),
    Text("word.feature.pim_groups", "PIM for Groups"),
    Text("word.feature.defender_office", "Defender for Office 365 policies"),
    # what puts a user in a feature's scope, {name} being its name in the tenant (entitlement-missing's steps)
    Text("word.reach.policy", 'the Conditional Access policy "{name}"'),
    Text("word.reach.role", "the PIM role {name}"),
    Text("word.reach.dynamic_group", "the dynamic group {name}"),
    Text("word.reach.group", "the licensing group {name}"),
    Text("word.reach.device", "a device enrolled in Intune ({name})"),
    Text("word.reach.review", 'the access review "{name}"'),
    Text("word.reach.package", 'the access package "{name}"'),
    Text("word.reach.workflow", 'the lifecycle workflow "{name}"'),
    Text("word.reach.pim_group", "the group {name} in PIM for Groups"),
    Text("word.reach.protection_rule", 'the Defender for Office 365 rule "{name}"'),
    Text(
        "message.shared_mailbox_unknown",
        "The auditor could not tell whether this is a shared, room or "
        "equipment mailbox, which usually needs no license.",
    ),
    Text(
        "steps.mailbox.unknown",
        "The auditor could not read the mailbox settings of {user} (the app needs "
        "MailboxSettings.Read). In the Exchange admin center, under Recipients > Mailboxes, check whether it is "
        "a shared, room or equipment mailbox; if it is, it needs a license only when it stores more than 50 GB, "
        "has an archive or is on hold.",
    ),
    Text("link.shared_mailbox", "About shared mailboxes"),
    Text("summary.remove", "Remove {sku} from {user}.", counted=True),
    Text(
        "summary.remove_group",
        "{sku} comes from the group {group}: change the group membership of {user} or "
        "the group's licenses, not the user.",
    ),
    Text(
        "summary.to_group.redundant",
        "{user} also gets {sku} from the group {group}, so the direct assignment is redundant: remove it.",
    ),
    Text(
        "summary.to_group.loss",
        "{user} also gets {sku} from the group {group}, but removing the direct assignment "
        "would switch off {plans}: turn that plan on in the group's licenses first.",
        "{user} also gets {sku} from the group {group}, but removing the direct assignment would switch off {plans}: "
        "turn those on in the group's licenses first.",
    ),
    Text(
        "steps.group.redundant",
        "{sku}: the group {group} already gives {user} every service the direct assignment "
        "turns on, so remove only the direct assignment; the license the group assigns stays.",
    ),
    Text(
        "summary.to_group.redundant.many",
        "{user} also gets {sku} from the groups {groups}, so the direct assignment is redundant: remove it.",
    ),
    Text(
        "summary.to_group.loss.many",
        "{user} also gets {sku} from the groups {groups}, but removing the direct "
        "assignment would switch off {plans}: turn that plan on in one group's licenses first.",
        "{user} also gets {sku} from the groups {groups}, but removing the direct assignment would switch off {plans}: "
        "turn those on in one group's licenses first.",
    ),
    Text(
        "steps.group.redundant.many",
        "{sku}: the groups {groups} together already give {user} every service the "
        "direct assignment turns on, so remove only the direct assignment; the licenses the groups assign stay.",
    ),
    Text(
        "steps.group.loss.many",
        "{sku}: do not remove the direct assignment yet. It turns on {plans}, which the "
        "licenses the groups {groups} assign all have switched off. Turn that plan on in the license settings of one "
        "of these groups (Microsoft Entra admin center > Groups > All groups > the group > Licenses), wait for "
        "the group to process, then remove the direct assignment.",
        "{sku}: do not remove the direct assignment yet. It turns on {plans}, which the licenses the groups "
        "{groups} assign all have switched off. Turn them on in the license settings of one of these groups (Microsoft "
        "Entra admin center > Groups > All groups > the group > Licenses), wait for the group to process, then "
        "remove the direct assignment.",
    ),
    Text(
        "steps.group.loss",
        "{sku}: do not remove the direct assignment yet. It turns on {plans}, which the license "
        "{group} assigns has switched off. Turn that plan on in the group's license settings (Microsoft Entra admin "
        "center > Groups > All groups > {group} > Licenses), wait for the group to process, then remove the "
        "direct assignment.",
        "{sku}: do not remove the direct assignment yet. It turns on {plans}, which the license {group} assigns "
        "has switched off. Turn them on in the group's license settings (Microsoft Entra admin center > Groups > "
        "All groups > {group} > Licenses), wait for the group to process, then remove the direct assignment.",
    ),
    Text(
        "graph.remove_direct",
        "Remove the direct assignment of {sku}; the license the group assigns stays.",
        "Remove the direct assignments of {sku}; the licenses the groups assign stay.",
    ),
    Steps(
        "steps.remove.worldwide",
        "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
        "Select {user}, then open the Licenses and apps tab.",
        (
            "Under Licenses, clear the box for {sku}, then select Save changes.",
            "Under Licenses, clear the boxes for {sku}, then select Save changes.",
        ),
    ),
    Steps(
        "steps.remove.legacy",
        "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
        "Select {user}; on the right, in the Product licenses row, select Edit.",
        (
            "Switch the toggle for {sku} to Off, then select Save > Close > Close.",
            "Switch the toggles for {sku} to Off, then select Save > Close > Close.",
        ),
    ),
    Steps(
        "steps.remove.entra",
        "In the Microsoft Entra admin center, go to Users > All users and select {user}.",
        (
            "Open Licenses, select {sku} and choose Remove license.",
            "Open Licenses, select {sku} and choose Remove license.",
        ),
    ),
    Text(
        "steps.group.explain",
        "{sku} reaches {user} through the group {group}; a license that a group assigns "
        "cannot be removed from a single user.",
    ),
    Text(
        "steps.group.membership",
        "To take it away from {user} only: in the Microsoft Entra admin center, go to "
        "Groups > All groups > {group} > Members, select {user} and choose Remove.",
    ),
    Text(
        "steps.group.dynamic",
        "{group} is a dynamic group: its membership rule decides who is a member, so "
        '{user} cannot be removed by hand or by a call. The rule is "{rule}". Change the rule, or the user\'s '
        "attributes it reads, so that it no longer includes {user} (Microsoft Entra admin center > Groups > All "
        "groups > {group} > Dynamic membership rules).",
    ),
    Text(
        "steps.group.synced",
        "{group} is synced from on-premises Active Directory, so its members can be "
        "changed only there: remove {user} from {group} in Active Directory. The change reaches Microsoft Entra "
        "ID with the next synchronization.",
    ),
    Text(
        "steps.group.mail",
        "{group} is a mail-enabled security group or a distribution list, whose members are "
        "changed in Exchange Online: in the Exchange admin center, go to Recipients > Groups > {group} > "
        "Members and remove {user} there.",
    ),
    Text(
        "steps.group.unknown",
        "The snapshot does not show whether {group} is a dynamic group or synced from "
        "on-premises Active Directory, so no call changes its members. Check its membership type and source in "
        "the Microsoft Entra admin center (Groups > All groups > {group} > Overview) before you remove {user}; "
        "an audit of a new collection reads them.",
    ),
    Text(
        "steps.group.also",
        "Leaving {group} also takes {others} from {user}, unless a direct assignment or another group gives it.",
        "Leaving {group} also takes {others} from {user}, unless a direct assignment or another group gives them.",
    ),
    Text(
        "steps.group.license",
        "If no member of {group} should have {sku}: go to Groups > All groups > {group} > "
        "Licenses, select {sku} and choose Remove license.",
    ),
    Text(
        "steps.data.keep",
        "Before you remove the license, keep what the organization still needs, for example "
        "by converting the mailbox to a shared mailbox or placing it on hold and by copying OneDrive files; a "
        "mailbox without a license is deleted after a grace period.",
    ),
    Text(
        "summary.loss.data",
        "Before you remove {sku} from {user}, keep the data: the removal would switch off {plans}.",
        counted=True,
    ),
    Text(
        "steps.loss.unknown",
        "Neither the tenant nor Microsoft's product table lists the service plans of "
        "{sku}, so the auditor cannot tell whether removing it ends a mailbox or files of {user}: check that in "
        "the admin center before you remove it.",
    ),
    Text(
        "steps.loss.data",
        "Only {sku} turns on {plans} for {user}. Removing it ends the data that plan holds: keep the data first "
        "(convert a mailbox to a shared mailbox, or move the mail or files) or give {user} a product that includes "
        "that plan, and only then remove {sku}.",
        "Only {sku} turns on {plans} for {user}. Removing it ends the data those hold: keep the data first "
        "(convert a mailbox to a shared mailbox, or move the mail or files) or give {user} a product that includes "
        "them, and only then remove {sku}.",
    ),
    # what the usage reports say of the data a smaller plan must hold (auditor/impact/storage_fit.py)
    Text(
        "steps.storage.mailbox_fits",
        "The mailbox of {user} holds {size}; {plan}, which it keeps after the change, holds up to {quota}: it fits.",
    ),
    Text(
        "steps.storage.onedrive_fits",
        "The OneDrive of {user} holds {size}; {plan}, which it keeps after the change, holds up to {quota}: it fits.",
    ),
    Text(
        "steps.storage.no_archive",
        "The mailbox of {user} has no archive, so it loses nothing when it moves to {plan}, which gives none.",
    ),
    Text(
        "steps.storage.mailbox_too_large",
        "Not yet: the mailbox of {user} holds {size}, and {plan}, which it "
        "would keep after the change, holds only {quota}. Reduce the mailbox below {quota} first, or keep the "
        "current product for {user}; then run the audit again.",
    ),
    Text(
        "steps.storage.onedrive_too_large",
        "Not yet: the OneDrive of {user} holds {size}, and {plan}, which it "
        "would keep after the change, holds only {quota}. Reduce the files below {quota} first, or keep the "
        "current product for {user}; then run the audit again.",
    ),
    Text(
        "steps.storage.archive",
        "Not yet: the mailbox of {user} has an archive, and {plan}, which it would keep "
        "after the change, gives none, so the archive would be lost. Keep a product with an archive for {user}.",
    ),
    Text(
        "steps.storage.unknown",
        "Not yet: how much the mailbox and OneDrive of {user} hold is not known "
        "({reason}), and the change is safe only if they fit the smaller plan. Once the usage reports can be "
        "read, run the audit again.",
    ),
    Text(
        "steps.move.worldwide",
        "Move the users who hold {sku} to another product: Users > Active users ({url}) "
        "> select them > More options (...) > Manage product licenses > Replace existing product license "
        "assignments > Next > switch On the new product > Replace > Close. Replace removes every earlier license "
        "assignment of the selected users: only what you switch On remains.",
    ),
    Text(
        "steps.move.legacy",
        "Move the users who hold {sku} to another product: Users > Active users ({url}) > "
        "select them > Bulk actions > Edit product licenses > Replace existing product license assignments > "
        "Next > switch On the new product > Replace > Close > Close. Replace removes every earlier license "
        "assignment of the selected users: only what you switch On remains.",
    ),
    Steps(
        "steps.usage_location.worldwide",
        "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
        "Select {user}, then open the Licenses and apps tab.",
        "Under Select location, choose the country where the user works, then select Save changes.",
    ),
    Steps(
        "steps.usage_location.legacy",
        "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
        "Select {user}; on the right, in the Product licenses row, select Edit.",
        "Under Location, choose the country where the user works, then select Save > Close > Close.",
    ),
    Text(
        "steps.usage_location.sync",
        "If accounts are synchronized from an on-premises directory, set the usage "
        "location there as well, so new accounts get one from the start.",
    ),
    Text(
        "steps.cloud.germany",
        "Microsoft Cloud Deutschland closed in October 2021, and its tenants now use the "
        "worldwide service: the steps below are those documented for the Germany cloud; in a tenant that has "
        "moved, the worldwide admin center applies.",
    ),
    Text(
        "steps.cloud.usgov",
        "This tenant is in a US Government cloud (GCC High): its admin center is at "
        "https://portal.office365.us, and licenses are bought through the organization's agreement or partner, "
        "not through the worldwide self-service purchase pages. The documentation this guidance follows "
        "describes the worldwide admin center only, so the admin-center paths below are not confirmed for this "
        "cloud.",
    ),
    Text(
        "steps.cloud.usgov-dod",
        "This tenant is in a US Government cloud (DoD): its admin center is at "
        "https://portal.apps.mil, and licenses are bought through the organization's agreement or partner, not "
        "through the worldwide self-service purchase pages. The documentation this guidance follows describes "
        "the worldwide admin center only, so the admin-center paths below are not confirmed for this cloud.",
    ),
    Text(
        "steps.sub.status",
        "Expired (Warning) means the subscription has passed its end date and is in its "
        "grace period (users still have access); Disabled (Suspended) means users have lost access and only "
        "admins can still reach the data and back it up.",
    ),
    Text(
        "steps.sub.reactivate",
        "To keep it: in the Microsoft 365 admin center, go to Billing > Your products, "
        "select {sku} and reactivate or renew it.",
    ),
    Text(
        "steps.sub.reactivate.gov",
        "To keep it: ask the agreement's contact or the partner to reactivate or renew {sku}.",
    ),
    Text(
        "steps.transfer.vlsc",
        "If you buy through a volume licensing agreement, contact the Volume Licensing "
        "Service Center about the licenses.",
    ),
    Text(
        "steps.transfer.cancel",
        "If the tenant you move away from will not be used any more, cancel its "
        "subscription (Billing > Your products) and buy the licenses in the tenant that needs them.",
    ),
    Text(
        "steps.transfer.cancel.gov",
        "If the tenant you move away from will not be used any more, have the "
        "agreement's contact or the partner cancel its subscription, and buy the licenses for the tenant that "
        "needs them the same way.",
    ),
    Text(
        "steps.transfer.remove",
        "If that tenant stays in use, remove the licenses it no longer needs (Billing > "
        "Your products > Remove licenses; with a term: within 7 days of its purchase, renewal or a seat addition, "
        "else at renewal with recurring billing on; legacy: any time) to lower its cost, and buy the same number "
        "in the other tenant.",
    ),
    Text(
        "steps.transfer.remove.gov",
        "If that tenant stays in use, have the agreement's contact or the partner "
        "lower its number of licenses (on a subscription with a term, within 7 days of its purchase or renewal, "
        "or of adding the licenses, otherwise at its renewal), and buy the same number for the other tenant.",
    ),
    Text(
        "steps.transfer.migrate",
        "Where people move to the other tenant, migrate their mailboxes (cross-tenant "
        "mailbox migration) and their SharePoint data (cloud content migration) as well.",
    ),
    Text("role.assign", "Global Administrator, License Administrator or User Administrator"),
    Text(
        "role.group",
        "Groups Administrator, User Administrator, Global Administrator or the group's owner to "
        "change its members; License Administrator, User Administrator or Global Administrator to change its "
        "licenses (a License Administrator cannot change members)",
    ),
    Text(
        "role.billing_assign",
        "Billing Administrator or Global Administrator to buy, remove or renew; Global, "
        "License or User Administrator to assign licenses",
    ),
    Text(
        "next.freed",
        "Reassign the freed licenses to users who need them, or remove them from the subscription "
        "(Billing > Your products > Remove licenses; with a term: within 7 days of its purchase, renewal or a "
        "seat addition, else at renewal with recurring billing on; legacy: any time).",
    ),
    Text(
        "next.freed.gov",
        "Reassign the freed licenses to users who need them, or have the agreement's contact "
        "or the partner lower the number (on a subscription with a term, within 7 days of its purchase or "
        "renewal, or of adding the licenses, otherwise at its renewal) so you do not pay for more licenses than "
        "you need.",
    ),
    Text("next.rerun", "Run the audit again to confirm that the finding is resolved."),
    Text("graph.remove", "Removes the directly assigned {sku} from {user}.", counted=True),
    Text(
        "graph.membership",
        "Removes {user} from the group {group}; the licenses that the group assigns then no longer apply to the user.",
    ),
    Text(
        "graph.membership.also",
        "Removes {user} from the group {group}; the licenses that the group assigns "
        "then no longer apply to the user: {sku}, and the other product the group gives, {others}.",
        "Removes {user} from the group {group}; the licenses that the group assigns then no longer apply to the "
        "user: {sku}, and the other products the group gives, {others}.",
    ),
    Text(
        "graph.membership.dynamic",
        "Not a call to run: {group} is a dynamic group, and its membership rule "
        '"{rule}" makes {user} a member. Change the rule, or the user\'s attributes it reads, so that it no '
        "longer includes {user}.",
    ),
    Text(
        "graph.membership.synced",
        "Not a call to run: {group} is synced from on-premises Active Directory. "
        "Remove {user} from the group in Active Directory; the next synchronization takes the change to "
        "Microsoft Entra ID.",
    ),
    Text(
        "graph.membership.mail",
        "Not a call to run: {group} is a mail-enabled security group or a distribution "
        "list, whose members Microsoft Graph cannot change. Remove {user} from it in the Exchange admin center.",
    ),
    Text(
        "graph.membership.unknown",
        "Removes {user} from the group {group}, once someone has checked that it is "
        "neither a dynamic group nor synced from on-premises Active Directory: the snapshot does not show the "
        "group's type.",
    ),
    Text(
        "graph.membership_lookup",
        "Removes {user} from the group {group}; look up the group's id first and put it in the path.",
    ),
    Text(
        "graph.usage_location",
        "Sets the usage location of {user}; replace XX with the two-letter country code (ISO 3166-1), for example NL.",
    ),
    Text("link.move_users", "Move users to a different subscription"),
    Text("link.assign_licenses", "Assign licenses to users"),
    Text("link.unassign_licenses", "Unassign licenses from users"),
    Text("link.buy_licenses", "Buy or remove licenses"),
    Text("link.admin_roles", "About admin roles in the Microsoft 365 admin center"),
    Text("link.cancel_subscription", "Cancel your subscription"),
    Text("link.renew_subscription", "Renew your subscription"),
    Text("link.subscription_ends", "What happens to my data and access when my subscription ends?"),
    Text("link.group_licensing", "Assign licenses to users by group membership"),
    Text("link.group_problems", "Identify and resolve license assignment problems for a group"),
    Text("link.resolve_find", "Resolve group license problems: find license assignment errors"),
    Text("link.resolve_count", "Resolve group license problems: not enough licenses"),
    Text("link.resolve_conflict", "Resolve group license problems: conflicting service plans"),
    Text("link.resolve_dependency", "Resolve group license problems: other products depend on this license"),
    Text("link.resolve_location", "Resolve group license problems: usage location isn't allowed"),
    Text("link.resolve_proxy", "Resolve group license problems: duplicate proxy addresses"),
    Text("link.resolve_reprocess", "Resolve group license problems: force group license processing"),
    Text("link.vlsc", "Volume Licensing Service Center"),
    Text("link.mailbox_migration", "Cross-tenant mailbox migration"),
    Text("link.sharepoint_migration", "Migrate SharePoint data"),
    Text(
        "steps.usage.confirm",
        "Ask {user}, or their manager, whether {workloads} is still needed: the usage "
        "reports show no use of it in the last {count} day. If it is, record a waiver instead.",
        "Ask {user}, or their manager, whether {workloads} is still needed: the usage reports show no use of it "
        "in the last {count} days. If it is, record a waiver instead.",
    ),
    Text(
        "steps.usage.rightsize",
        "Confirm with {user}, or their manager, that {workloads} is not needed: the "
        "usage reports show no use of it in the last {count} day.",
        "Confirm with {user}, or their manager, that {workloads} is not needed: the usage reports show no use of "
        "it in the last {count} days.",
    ),
    Text(
        "steps.usage.unmeasured",
        "Microsoft Graph reports no use per user of {unmeasured}: check in their own "
        "admin centers, or with {user}, that they are not used before moving to {target}.",
    ),
    Text(
        "message.data_kept_expired",
        "The policy's data_kept declaration for this check has expired and no "
        "longer counts: renew it, or keep the data before the licenses go.",
    ),
    # the plan's bill for a product, after a seat finding's message (auditor.guidance.library.bill_note);
    # its figures stand bare, with no word that agrees with them (texts.FIGURES)
    Text(
        "message.bill.reduce",
        "After the plan's changes (assigned: {bill_after}, kept spare: {bill_spare}), the plan's bill takes "
        "the subscriptions down to {bill_to} from {bill_from}.",
    ),
    Text(
        "message.bill.reduce_undated",
        "After the plan's changes (assigned: {bill_after}, kept spare: {bill_spare}), the plan's bill takes "
        "the subscriptions down to {bill_to}, on a date not known (no billing facts).",
    ),
    Text(
        "message.bill.keep",
        "After the plan's changes (assigned: {bill_after}, kept spare: {bill_spare}), the plan's bill keeps "
        "every license: {bill_to}.",
    ),
    Text(
        "message.bill.buy",
        "After the plan's changes (assigned: {bill_after}, kept spare: {bill_spare}), the plan's bill adds "
        "licenses (to buy: {bill_buy}), {bill_to} in all.",
    ),
    Text(
        "message.bill.buy_moves",
        "After the plan's changes (assigned: {bill_after}, kept spare: {bill_spare}, for the changes that wait for "
        "a free license: {bill_moves}), the plan's bill adds licenses (to buy: {bill_buy}), {bill_to} in all.",
    ),
    Text(
        "message.bill.buy_short",
        "The plan's bill uses a different number (to buy: {bill_buy}): the count above includes unassigned "
        "licenses of larger products, which the bill removes instead of assigning them.",
    ),
    Text(
        "message.bill.buy_mixed",
        "The plan's bill buys {bill_buy} instead: for each user in scope, the cheapest product that includes "
        "the service plan.",
    ),
)
