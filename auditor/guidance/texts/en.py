"""English guidance text. UI labels as in the English Microsoft 365 and Microsoft Entra admin centers."""

from __future__ import annotations

TEXTS: dict[str, str | tuple[str, ...]] = {
    # --- words used inside values ----------------------------------------------------------------
    "word.or": "or",
    "word.none": "none",
    "word.unknown": "unknown",
    # --- rules: title, why it matters, one-line message -------------------------------------------
    "rule.sku-not-allowed.title": "Product not allowed",
    "rule.sku-not-allowed.describe": (
        "The user holds a product that the policy does not allow for their group of users. Moving them to an "
        "allowed product keeps licensing as intended and avoids paying for the wrong plan."
    ),
    "rule.sku-not-allowed.message": "{user} holds {sku}, which the policy does not allow here (allowed: {allowed}).",
    "rule.sku-forbidden.title": "Forbidden product",
    "rule.sku-forbidden.describe": (
        "The policy forbids this product for the user. A forbidden license costs money and can give access to "
        "services the user should not have."
    ),
    "rule.sku-forbidden.message": "{user} holds {sku}, which the policy forbids.",
    "rule.sku-required-missing.title": "Required product missing",
    "rule.sku-required-missing.describe": (
        "The user has none of the products the policy requires, so they may lack services they need for their work."
    ),
    "rule.sku-required-missing.message": "{user} has none of the required products ({required}).",
    "rule.sku-combination-forbidden.title": "Forbidden product combination",
    "rule.sku-combination-forbidden.describe": (
        "The user holds products that the policy says must not be combined, usually because one already includes "
        "the other and the organization pays twice."
    ),
    "rule.sku-combination-forbidden.message": "{user} holds {combination} together, a combination the policy forbids.",
    "rule.assignment-not-group-based.title": "License not assigned through a group",
    "rule.assignment-not-group-based.describe": (
        "The policy expects this product to come from a group. Direct assignments are easily forgotten when people "
        "change jobs or leave."
    ),
    "rule.assignment-not-group-based.message": "{user} has {sku} assigned directly instead of through a group.",
    "rule.spare-seats-over-limit.title": "Too many unused licenses",
    "rule.spare-seats-over-limit.describe": (
        "The organization pays for more licenses than are in use, beyond the margin the policy allows."
    ),
    "rule.spare-seats-over-limit.message": (
        "{sku}: {unused} of {enabled} licenses are unused; the policy allows at most {limit}."
    ),
    "rule.spare-seats-over-limit.message.renewal": (
        "{sku}: {unused} of {enabled} licenses are unused; the policy allows at most {limit}. Reduce by "
        "{excess} at the renewal on {date}."
    ),
    "rule.spare-seats-under-minimum.title": "Too few free licenses",
    "rule.spare-seats-under-minimum.describe": (
        "Fewer licenses are free than the buffer the policy asks for, so new staff may not get a license in time."
    ),
    "rule.spare-seats-under-minimum.message": (
        "{sku}: {unused} of {enabled} licenses are free; the policy asks for at least {min}."
    ),
    "rule.spare-seats-under-minimum.message.over": (
        "{sku}: {consumed} licenses are assigned, but only {enabled} are available."
    ),
    "rule.sku-not-approved.title": "Product not approved",
    "rule.sku-not-approved.describe": (
        "The tenant has a product the policy does not approve; it may have been bought or started as a trial "
        "outside the usual process."
    ),
    "rule.sku-not-approved.message": (
        "{sku} is not on the policy's list of approved products ({enabled} licenses, {consumed} assigned)."
    ),
    "rule.seats-in-grace.title": "Licenses in the grace period",
    "rule.seats-in-grace.describe": (
        "The subscription has expired and its licenses are in the grace period: they still work, but users "
        "lose access when it is suspended."
    ),
    "rule.seats-in-grace.message": (
        "{sku}: {count} licenses are in the grace period and lapse on {date} unless renewed."
    ),
    "rule.seats-in-grace.message.undated": "{sku}: {count} licenses are in the grace period and lapse unless renewed.",
    "rule.license-suspended.title": "Licenses of a suspended product",
    "rule.license-suspended.describe": (
        "Users hold licenses of a product whose subscription is suspended or locked out, so they have lost or"
        " are losing its services."
    ),
    "rule.license-suspended.message": (
        "{sku}: {count} of {consumed} assigned licenses are suspended or locked out; their users have lost or"
        " are losing access."
    ),
    "rule.disabled-user-licensed.title": "Disabled user holds licenses",
    "rule.disabled-user-licensed.describe": "The account is blocked from signing in but still takes up a paid license.",
    "rule.disabled-user-licensed.message": "{user} is blocked from signing in but still holds {sku}.",
    "rule.inactive-user-licensed.title": "Inactive user holds licenses",
    "rule.inactive-user-licensed.describe": (
        "The account has not been used for a long time but still takes up a paid license."
    ),
    "rule.inactive-user-licensed.message": (
        "{user} holds {sku} but has not signed in for at least {days} days (last sign-in: {last_sign_in})."
    ),
    "rule.inactive-user-licensed.message.never": (
        "{user} holds {sku} but has never signed in (limit: {days} days)."
    ),
    "rule.inactive-user-licensed.message.attempts": (
        "{user} holds {sku} but has not signed in successfully for at least {days} days (last successful "
        "sign-in: {last_sign_in}); sign-in attempts went on until {last_attempt}, so check its sign-in logs."
    ),
    "rule.inactive-user-licensed.message.never.attempts": (
        "{user} holds {sku} but has never signed in successfully (limit: {days} days); sign-in attempts were "
        "made until {last_attempt}, so check its sign-in logs."
    ),
    "rule.license-assigned-twice.title": "Product assigned twice",
    "rule.license-assigned-twice.describe": (
        "The user holds a product both directly and from a group. The direct copy usually adds nothing and is"
        " left behind by a move to group-based licensing, but it may turn on service plans the group's copy "
        "leaves off."
    ),
    "rule.license-assigned-twice.message": "{user} holds {sku} both directly and from a group.",
    "rule.license-redundant.title": "Product adds nothing beside another",
    "rule.license-redundant.describe": (
        "Every service this product turns on for the user is already turned on by another product they hold, "
        "through the same service plan or a higher plan of the same service (Exchange Online (Plan 1) beside "
        "Microsoft 365 E3). Removing it takes nothing away and stops paying for it."
    ),
    "rule.license-redundant.message": "{cover} already turns on every service of {sku} for {user}.",
    "rule.license-redundant.message.several": "Other products {user} holds already turn on every service of {sku}.",
    "summary.redundant": "{cover} already gives {user} every service of {sku}: remove {sku}.",
    "summary.redundant_group": (
        "{sku} comes from the group {group}, and {cover} already gives {user} every service of it: take {user} "
        "out of the group, or remove {sku} from the group's licenses."
    ),
    "summary.redundant_same_group": (
        "The group {group} gives {user} both {sku} and {cover}, and {cover} already turns on every service of "
        "{sku}: remove {sku} from the group's licenses."
    ),
    "steps.redundant.keep": (
        "{cover} stays, and with it every service {sku} turns on for {user}: the same service plans, or higher "
        "plans of the same services. Removing {sku} switches nothing off."
    ),
    "steps.redundant.same_group": (
        "The group {group} assigns {cover} as well, so taking {user} out of it would take {cover} away too. "
        "Instead, check that the group's {cover} turns on every service its {sku} does, then in the Microsoft "
        "Entra admin center go to Groups > All groups > {group} > Licenses, select {sku} and choose Remove license."
    ),
    "graph.remove_redundant": "Removes {sku} from {user}; the product that covers it stays.",
    "rule.guest-licensed.title": "Guest holds licenses",
    "rule.guest-licensed.describe": (
        "A guest from outside the organization holds a paid license of this tenant; guests rarely need one."
    ),
    "rule.guest-licensed.message": "The guest {user} holds {sku}.",
    "rule.shared-mailbox-licensed.title": "Shared mailbox holds licenses",
    "rule.shared-mailbox-licensed.describe": (
        "A shared, room or equipment mailbox takes up a paid license. Such a mailbox works without one unless it "
        "stores more than 50 GB, has an archive or is under a litigation or retention hold."
    ),
    "rule.shared-mailbox-licensed.message": (
        "{user} is a shared mailbox but holds {sku}; it needs a license only above 50 GB, with an archive or on hold."
    ),
    "rule.shared-mailbox-licensed.message.room": (
        "{user} is a room mailbox but holds {sku}; it needs a license only above 50 GB, with an archive or on hold."
    ),
    "rule.shared-mailbox-licensed.message.equipment": (
        "{user} is an equipment mailbox but holds {sku}; it needs a license only above 50 GB, with an archive or on "
        "hold."
    ),
    "message.shared_mailbox_unknown": (
        "The auditor could not tell whether this is a shared, room or equipment mailbox, which usually needs no "
        "license."
    ),
    "summary.shared_mailbox": (
        "A shared, room or equipment mailbox needs no license unless it stores more than 50 GB, has an archive or "
        "is on hold: check these first."
    ),
    "steps.shared.check": (
        "In the Exchange admin center, go to Recipients > Mailboxes and select {user}.",
        "Look at how much the mailbox stores and whether its archive is turned on: above 50 GB, or with an archive, "
        "it keeps its license.",
        "In the Microsoft Purview portal, check whether a litigation hold, an eDiscovery hold or a retention policy "
        "covers {user}: a mailbox on hold keeps its license.",
        "Only if none of this applies, remove the license as described below; the mailbox keeps working without it.",
    ),
    "steps.mailbox.unknown": (
        "The auditor could not read the mailbox settings of {user} (the app needs MailboxSettings.Read). In the "
        "Exchange admin center, under Recipients > Mailboxes, check whether it is a shared, room or equipment "
        "mailbox; if it is, it needs a license only when it stores more than 50 GB, has an archive or is on hold."
    ),
    "link.shared_mailbox": "About shared mailboxes",
    "rule.license-assignment-error.title": "License assignment error",
    "rule.license-assignment-error.describe": (
        "Microsoft Entra ID could not fully apply the license, so the user may be missing services."
    ),
    "rule.license-assignment-error.message": "Applying {sku} to {user} failed with the error {error}.",
    "rule.license-assignment-error.message.partial": (
        "{sku} is active for {user}, but not all of it could be applied (error {error})."
    ),
    "rule.license-assignment-error.message.disabled": (
        "The assignment of {sku} to {user} is disabled and reports the error {error}."
    ),
    "rule.group-license-errors.title": "Group with license assignment errors",
    "rule.group-license-errors.describe": (
        "Microsoft Entra ID could not give some members of this group the licenses the group assigns. The fix "
        "starts at the group: its Licenses page lists the members in an error state."
    ),
    "rule.group-license-errors.message": (
        "The licenses of the group {group} could not be applied to some of its members (members in this audit: "
        "{count}; errors: {errors})."
    ),
    "rule.group-license-errors.message.uncounted": (
        "Microsoft Entra ID reports members of the group {group} whose licenses from the group could not be "
        "applied."
    ),
    "rule.usage-location-missing.title": "Usage location missing",
    "rule.usage-location-missing.describe": (
        "Licenses can only be assigned to a user who has a usage location, because the services on offer depend "
        "on the country."
    ),
    "rule.usage-location-missing.message": "{user} has no usage location.",
    "rule.subscription-expiring.title": "Subscription ending",
    "rule.subscription-expiring.describe": (
        "When a subscription ends, its users lose its services and, after a grace period, the data that goes with them."
    ),
    "rule.subscription-expiring.message.trial": "The trial {subject} ends on {date} ({days_left} days left).",
    "rule.subscription-expiring.message.paid": "The subscription {subject} ends on {date} ({days_left} days left).",
    "rule.subscription-expiring.message.warning": (
        "The subscription {subject} has ended and is in its grace period: its users keep access until it is "
        "suspended on {date}."
    ),
    "rule.subscription-expiring.message.warning.undated": (
        "The subscription {subject} has ended and is in its grace period: its users still have access."
    ),
    "rule.subscription-expiring.message.suspended": (
        "The subscription {subject} is suspended: its users have lost access, and it will be deleted on "
        "{date}."
    ),
    "rule.subscription-expiring.message.suspended.undated": (
        "The subscription {subject} is suspended: its users have lost access."
    ),
    "rule.subscription-expiring.message.lockedout": (
        "The subscription {subject} is locked out: its users have lost access, and it will be deleted on "
        "{date}."
    ),
    "rule.subscription-expiring.message.lockedout.undated": (
        "The subscription {subject} is locked out: its users have lost access."
    ),
    "rule.subscription-expiring.message.past": (
        "The subscription {subject} reached its end date on {date} and has the status {status}."
    ),
    "rule.subscription-expiring.message.past.undated": (
        "The subscription {subject} has ended and has the status {status}."
    ),
    "rule.waiver-expired.title": "Waiver expired",
    "rule.waiver-expired.describe": (
        "An agreed exception to the policy has passed its expiry date, so the finding it covered counts again."
    ),
    "rule.waiver-expired.message": (
        "The waiver for {waiver_rule} on {waiver_subject} (owner: {owner}) expired on {expires}."
    ),
    "rule.cross-tenant-duplicate.title": "Licensed in several tenants",
    "rule.cross-tenant-duplicate.describe": (
        "The same person holds the same product in more than one of the organization's tenants, and each tenant "
        "pays for it."
    ),
    "rule.cross-tenant-duplicate.message": "{identity} holds {sku} in several tenants: {tenants}.",
    "rule.seats-rebalance-across-tenants.title": "Unused licenses in one tenant, too few in another",
    "rule.seats-rebalance-across-tenants.describe": (
        "One tenant pays for unused licenses of a product that another tenant is short of. Licenses cannot be "
        "moved between tenants, so the fix is to remove licenses in one and buy them in the other."
    ),
    "rule.seats-rebalance-across-tenants.message": "{sku}: unused licenses in {surplus}; too few in {shortage}.",
    # --- summaries ----------------------------------------------------------------------------------
    "summary.remove": "Remove {sku} from {user}.",
    "summary.remove_group": (
        "{sku} comes from the group {group}: change the group membership of {user} or the group's licenses, "
        "not the user."
    ),
    "summary.remove_mixed": (
        "Remove {direct} from {user} directly; {grouped} comes from a group and has to be changed through the group."
    ),
    "summary.replace": "Replace {old} with {new} for {user} in one step.",
    "summary.replace_group": (
        "{old} comes from the group {group}: move {user} to a group that assigns {new} instead."
    ),
    "summary.not_allowed": "Move {user} from {sku} to an allowed product ({allowed}), or remove {sku}.",
    "summary.assign": "Give {user} one of the required products: {sku}.",
    "summary.to_group.redundant": (
        "{user} also gets {sku} from the group {group}, so the direct copy is redundant: remove it."
    ),
    "summary.to_group.loss": (
        "{user} also gets {sku} from the group {group}, but removing the direct copy would switch off "
        "{plans}: turn those on in the group's licenses first."
    ),
    "steps.group.redundant": (
        "{sku}: the group {group} already gives {user} every service the direct copy turns on, so remove only"
        " the direct assignment; the group's copy stays."
    ),
    "steps.group.loss": (
        "{sku}: do not remove the direct copy yet. It turns on {plans}, which the copy from {group} has "
        "switched off. Turn them on in the group's license settings (Microsoft Entra admin center > Groups > "
        "All groups > {group} > Licenses), wait for the group to process, then remove the direct copy."
    ),
    "graph.remove_direct": (
        "Remove the direct assignment of {sku}; the copy from the group stays."
    ),
    "summary.to_group": "Add {user} to the group that should assign {sku}, then remove the direct assignment.",
    "summary.combination": "Decide which one of {combination} to keep for {user}, and remove the rest.",
    "summary.seats_over": "Reassign the unused {sku} licenses, or remove {excess} of them from the subscription.",
    "summary.seats_over.renewal": (
        "Reassign the unused {sku} licenses, or reduce the subscription by {excess} at its renewal on {date}:"
        " licenses on a term subscription can only be reduced at renewal."
    ),
    "summary.seats_under": "Free or buy {sku} licenses so that at least {min} stay available.",
    "summary.seats_short": "More {sku} licenses are assigned than bought ({short} too few): buy more or free some now.",
    "summary.grace": (
        "{count} {sku} licenses lapse on {date} unless renewed: renew the subscription, or reduce the "
        "licenses in use before then."
    ),
    "summary.grace.undated": (
        "{count} {sku} licenses are in the grace period and lapse unless renewed: renew the subscription, or "
        "reduce the licenses in use."
    ),
    "summary.suspended": (
        "{count} users hold {sku} licenses that are suspended or locked out: they have lost or are losing "
        "access. Reactivate the subscription, or move them to another product."
    ),
    "steps.grace.reduce": (
        "If the licenses are no longer needed, remove {count} of them from users before they lapse, so that "
        "nobody loses access by surprise."
    ),
    "summary.not_approved": (
        "Approve {sku} in the policy, or move its users to an approved product and then remove its licenses or "
        "cancel the subscription."
    ),
    "summary.error.CountViolation": (
        "There are not enough {sku} licenses: free some or buy more, then reprocess {user}."
    ),
    "summary.error.MutuallyExclusiveViolation": (
        "A service in {sku} conflicts with a service {user} already has from another product: decide which one the "
        "user keeps, then reprocess."
    ),
    "summary.error.DependencyViolation": (
        "Removing {sku} from {user} is blocked: another product {user} holds has a service that depends on "
        "{sku}. Remove that product first, or keep {sku}, then reprocess."
    ),
    "summary.error.UniquenessViolation": (
        "Another object uses one of the proxy addresses of {user}: fix the duplicate address, then reprocess."
    ),
    "summary.error.usage": (
        "{sku} is not available in the usage location of {user}: correct the location if it is wrong; otherwise "
        "the user cannot have {sku} there. Then reprocess."
    ),
    "summary.error.other": (
        "Applying {sku} to {user} failed ({error}): read the error on the user's Licenses page, fix the cause, "
        "then reprocess."
    ),
    "summary.error.partial": "{sku} is active for {user}, but not every part of it could be applied.",
    "summary.group_errors": (
        "Members of the group {group} did not get all of its licenses (in this audit: {count}): open the group's "
        "Licenses page, fix each cause, then reprocess the group."
    ),
    "summary.group_errors.uncounted": (
        "Members of the group {group} did not get all of its licenses: open the group's Licenses page, fix each "
        "cause, then reprocess the group."
    ),
    "summary.usage": "Set a usage location for {user}; licenses cannot be assigned without one.",
    "summary.sub_trial": (
        "Buy the paid subscription before the trial {subject} ends on {date}, or move its users and let it end."
    ),
    "summary.sub_paid": (
        "Renew {subject} or turn on recurring billing before {date}, or move its users and let it end."
    ),
    "summary.sub_past": (
        "{subject} is already past its end date (status {status}): reactivate it, or move its users before they "
        "lose access and data."
    ),
    "summary.waiver": "Renew the waiver together with its owner ({owner}), or fix the finding it covered.",
    "summary.cross_tenant": (
        "Licenses cannot be moved between tenants: decide where {identity} keeps {sku} and remove it in the "
        "other tenants."
    ),
    "summary.rebalance": (
        "Licenses cannot be moved between tenants: remove the unused {sku} licenses in {surplus} and buy the "
        "missing ones in {shortage}."
    ),
    # --- admin-center steps -------------------------------------------------------------------------
    "steps.remove.worldwide": (
        "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
        "Select {user}, then open the Licenses and apps tab.",
        "Under Licenses, clear the box for {sku}, then select Save changes.",
    ),
    "steps.remove.legacy": (
        "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
        "Select {user}; on the right, in the Product licenses row, select Edit.",
        "Switch the toggle for {sku} to Off, then select Save > Close > Close.",
    ),
    "steps.remove.entra": (
        "In the Microsoft Entra admin center, go to Users > All users and select {user}.",
        "Open Licenses, select {sku} and choose Remove license.",
    ),
    "steps.replace.worldwide": (
        "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
        "Select the circle next to {user}.",
        "At the top, select More options (...), then Manage product licenses.",
        "In the Manage product licenses pane, select Replace existing product license assignments > Next.",
        "Switch the toggle to On for {new} and for every other product {user} keeps; switch Off the services the "
        "user should not get.",
        "At the bottom of the Replace existing products pane, select Replace > Close.",
    ),
    "steps.replace.legacy": (
        "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
        "Select the check box next to {user}.",
        "In the Bulk actions pane, select Edit product licenses.",
        "In the Assign products pane, select Replace existing product license assignments > Next.",
        "Switch the toggle to On for {new} and for every other product {user} keeps; switch Off the services the "
        "user should not get.",
        "At the bottom of the Replace existing products pane, select Replace > Close > Close.",
    ),
    "steps.replace.caution": (
        "Replacing takes away every license {user} had before, {old} included: only what you switched On remains."
    ),
    "steps.assign.worldwide": (
        "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
        "Select {user}, then open the Licenses and apps tab.",
        "If no location is chosen under Select location, choose the country where the user works.",
        "Under Licenses, select the box for {sku}, then select Save changes.",
    ),
    "steps.assign.legacy": (
        "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
        "Select {user}; on the right, in the Product licenses row, select Edit.",
        "Switch the toggle for {sku} to On, then select Save > Close > Close.",
    ),
    "steps.group.explain": (
        "{sku} reaches {user} through the group {group}; a license that a group assigns cannot be removed from a "
        "single user."
    ),
    "steps.group.membership": (
        "To take it away from {user} only: in the Microsoft Entra admin center, go to Groups > All groups > "
        "{group} > Members, select {user} and choose Remove."
    ),
    "steps.group.license": (
        "If no member of {group} should have {sku}: go to Groups > All groups > {group} > Licenses, select {sku} "
        "and choose Remove license."
    ),
    "steps.group.add": (
        "If the product should come from a group: in the Microsoft Entra admin center, go to Groups > All groups, "
        "open the group that assigns {sku}, select Members > Add members and add {user}."
    ),
    "steps.group.wait": (
        "Wait until the Licenses page of {user} shows {sku} as inherited from the group before you remove the "
        "direct assignment."
    ),
    "steps.group.replace": (
        "Add {user} to a group that assigns {new} (Groups > All groups > the group > Members > Add members), "
        "then remove the user from {group}."
    ),
    "steps.data.keep": (
        "Before you remove the license, keep what the organization still needs, for example by converting the "
        "mailbox to a shared mailbox or placing it on hold and by copying OneDrive files; a mailbox without a "
        "license is deleted after a grace period."
    ),
    "steps.disabled.confirm": "Confirm that {user} is meant to stay blocked, for example because the person has left.",
    "steps.inactive.confirm": (
        "Confirm with the manager of {user} that the account is no longer needed; if it is, record a waiver instead."
    ),
    "steps.guest.confirm": (
        "Most guest access does not need a license of your tenant: confirm whether {user} really needs {sku}."
    ),
    "summary.loss.data": "Before you remove {sku} from {user}, keep the data: the removal would switch off {plans}.",
    "steps.loss.data": (
        "{sku} is what turns on {plans} for {user}; nothing else {user} keeps does. Removing it ends the "
        "mailbox, archive or OneDrive files those hold, so keep the data first (for example convert the "
        "mailbox to a shared mailbox, or move the mail and files) or give {user} a product that includes "
        "them, and only then remove {sku}."
    ),
    "steps.combination.keep": "{keep} already turns on everything {sku} does for {user}: keep {keep} and remove {sku}.",
    "steps.combination.choose": (
        "Decide which of {combination} {user} should keep; if one product already includes the other, keep that one."
    ),
    "steps.seats.reassign": "Give the unused {sku} licenses to users who are waiting for one.",
    "steps.seats.remove": (
        "If they will not be reassigned: in the Microsoft 365 admin center, go to Billing > Your products.",
        "Select the subscription that holds {sku}, then select Remove licenses.",
        "Enter the new total number of licenses ({target}), then select Save.",
    ),
    "steps.seats.free": (
        "Free {sku} licenses held by accounts that no longer need them (see the disabled, inactive and guest "
        "findings)."
    ),
    "steps.seats.buy": (
        "Otherwise buy more: in the Microsoft 365 admin center, go to Billing > Your products.",
        "Select the subscription that holds {sku}, then select Buy licenses.",
        "Enter the total number of licenses you need ({target}) and complete the purchase.",
    ),
    "steps.not_approved.review": (
        "Decide with the policy owner whether {sku} should be approved; if so, add it to the policy's approved "
        "products."
    ),
    "steps.not_approved.cancel": (
        "Once nobody holds it, cancel the subscription (Billing > Your products > select {sku} > Cancel "
        "subscription) or remove its licenses."
    ),
    "steps.move.worldwide": (
        "Move the users who hold {sku} to another product: Users > Active users ({url}) > select them > More "
        "options (...) > Manage product licenses > Replace existing product license assignments > Next > switch "
        "On the new product > Replace > Close."
    ),
    "steps.move.legacy": (
        "Move the users who hold {sku} to another product: Users > Active users ({url}) > select them > Bulk "
        "actions > Edit product licenses > Replace existing product license assignments > Next > switch On the new "
        "product > Replace > Close > Close."
    ),
    "steps.error.CountViolation": (
        "Free {sku} licenses held by users who no longer need them, or buy more: Billing > Your products > "
        "select the subscription > Buy licenses."
    ),
    "steps.error.MutuallyExclusiveViolation": (
        "Decide which of the conflicting products {user} keeps, and remove the other one or switch off the "
        "conflicting service."
    ),
    "steps.error.DependencyViolation": (
        "Find the product whose service plan needs a service of {sku} (the user's Licenses page names it), "
        "remove it or turn that service off first, and only then remove {sku}; with group-based licensing, "
        "change both groups together."
    ),
    "steps.error.UniquenessViolation": (
        "Find the other object that uses the same proxy address (for example in the Exchange admin center) and "
        "change or remove the duplicate."
    ),
    "steps.error.other": (
        "In the Microsoft Entra admin center, go to Users > All users > {user} > Licenses and read the error "
        "shown for {sku}."
    ),
    "steps.error.group": (
        "The license comes from the group {group}, so other members may have the same error: check the group's "
        "Licenses page in the Microsoft Entra admin center."
    ),
    "steps.error.ProhibitedInUsageLocationViolation": (
        "Check the usage location of {user}. If it is not where the user works, set the right one as below. If it "
        "is right, {sku} is not offered there: take {user} out of the assignment (for a group license: out of the "
        "group) instead of changing the location."
    ),
    "steps.group_errors.open": (
        "In the Microsoft Entra admin center, go to Groups > All groups > {group} > Licenses: the notification "
        "there lists the members in an error state; select one to see its error."
    ),
    "steps.group_errors.cause": (
        "{error}, members affected: {count}. The license assignment error finding of each member explains this "
        "cause and its fix."
    ),
    "steps.group_errors.fix": (
        "Fix the cause for each member as its error says: free or buy licenses, choose between conflicting "
        "products or services, correct usage locations or duplicate proxy addresses."
    ),
    "steps.group_errors.reprocess": (
        "Then, on the Licenses page of {group}, select Reprocess, so that Microsoft Entra ID applies the group's "
        "licenses to its members again."
    ),
    "steps.reprocess": (
        "Then reprocess: in the Microsoft Entra admin center, go to Users > All users > {user} > Licenses and "
        "select Reprocess."
    ),
    "steps.usage.worldwide": (
        "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
        "Select {user}, then open the Licenses and apps tab.",
        "Under Select location, choose the country where the user works, then select Save changes.",
    ),
    "steps.usage.legacy": (
        "In the Microsoft 365 admin center, go to Users > Active users ({url}).",
        "Select {user}; on the right, in the Product licenses row, select Edit.",
        "Under Location, choose the country where the user works, then select Save > Close > Close.",
    ),
    "steps.usage.sync": (
        "If accounts are synchronized from an on-premises directory, set the usage location there as well, so "
        "new accounts get one from the start."
    ),
    "steps.sub.status": (
        "Warning means the subscription has expired and is in its grace period (users still have access); "
        "Suspended means it is disabled (users have lost access, admins can still back up data)."
    ),
    "steps.sub.reactivate": (
        "To keep it: in the Microsoft 365 admin center, go to Billing > Your products, select {sku} and "
        "reactivate or renew it."
    ),
    "steps.sub.trial": (
        "To keep it: in the Microsoft 365 admin center, go to Billing > Your products, select the trial {sku} "
        "and buy the paid subscription before {date}."
    ),
    "steps.sub.paid": (
        "To keep it: in the Microsoft 365 admin center, go to Billing > Your products, select {sku} and turn on "
        "Recurring billing, or renew it before {date}."
    ),
    "steps.sub.lapse": (
        "To let it end: once no user depends on it, turn off Recurring billing or cancel it; back up any data "
        "you still need first."
    ),
    "steps.waiver.ask": "Ask {owner} whether the exception for {waiver_rule} on {waiver_subject} is still needed.",
    "steps.waiver.renew": (
        "If it is, give the waiver a new expiry date and a current reason in the policy file and have the change "
        "reviewed."
    ),
    "steps.waiver.fix": (
        "If it is not, delete the waiver and fix the finding as the guidance for {waiver_rule} describes."
    ),
    "steps.transfer.fact": "Licenses cannot be transferred from one tenant to another; each tenant needs its own.",
    "steps.transfer.decide": (
        "Decide in which tenant {identity} keeps {sku}, and remove the license from the account in the other "
        "tenants (Users > Active users > the user > Licenses and apps)."
    ),
    "steps.transfer.vlsc": (
        "If you buy through a volume licensing agreement, contact the Volume Licensing Service Center about the "
        "licenses."
    ),
    "steps.transfer.cancel": (
        "If the tenant you move away from will not be used any more, cancel its subscription (Billing > Your "
        "products) and buy the licenses in the tenant that needs them."
    ),
    "steps.transfer.remove": (
        "If that tenant stays in use, remove the licenses it no longer needs (Billing > Your products > Remove "
        "licenses) to lower its cost, and buy the same number in the other tenant."
    ),
    "steps.transfer.migrate": (
        "Where people move to the other tenant, migrate their mailboxes (cross-tenant mailbox migration) and "
        "their SharePoint data (cloud content migration) as well."
    ),
    # --- roles --------------------------------------------------------------------------------------
    "role.assign": "Global Administrator, License Administrator or User Administrator",
    "role.group": (
        "Global Administrator, License Administrator or User Administrator; a Groups Administrator or the "
        "group's owner can also change its members"
    ),
    "role.billing_assign": (
        "Billing Administrator or Global Administrator to buy, remove or renew; Global, License or User "
        "Administrator to assign licenses"
    ),
    "role.transfer": (
        "Billing Administrator or Global Administrator in each tenant; Exchange Administrator and SharePoint "
        "Administrator for the data migration"
    ),
    "role.waiver": "Maintainer of the policy file, together with the waiver's owner",
    # --- next steps ---------------------------------------------------------------------------------
    "next.freed": (
        "Reassign the freed licenses to users who need them, or remove them from the subscription (Billing > "
        "Your products > Remove licenses) so you do not pay for more licenses than you need."
    ),
    "next.partner": (
        "If the licenses were bought through a partner or a volume licensing agreement, the partner or the "
        "Volume Licensing Service Center changes the number for you."
    ),
    "next.transfer_cost": (
        "Afterwards, check the license counts in every tenant involved so that none pays for licenses it does "
        "not use."
    ),
    "next.rerun": "Run the audit again to confirm that the finding is resolved.",
    # --- Graph action descriptions ----------------------------------------------------------------
    "graph.remove": "Removes the directly assigned {sku} from {user}.",
    "graph.remove_or_replace": (
        "Removes {sku} from {user}; to replace it in the same call, put the skuId of the allowed product in "
        "addLicenses."
    ),
    "graph.replace": (
        "One call for {user} adds {new} and removes {old} together, so the user is never without a license."
    ),
    "graph.add": "Assigns {sku} to {user}; the user needs a usage location first.",
    "graph.membership": (
        "Removes {user} from the group {group}; the licenses that the group assigns then no longer apply to the user."
    ),
    "graph.membership_many": (
        "Removes {user} from one of the groups that assign {sku} ({group}); repeat for each of them, because the "
        "license stays as long as any of them assigns it."
    ),
    "graph.membership_lookup": (
        "Removes {user} from the group {group}; look up the group's id first and put it in the path."
    ),
    "graph.remove_after_group": (
        "Once the group's license is active for {user}, removes the direct assignment of {sku}."
    ),
    "graph.reprocess": "After the cause is fixed, makes Microsoft Entra ID apply the licenses of {user} again.",
    "graph.group_errors": "Lists the members of {group} whose licenses from the group could not be applied.",
    "graph.usage": (
        "Sets the usage location of {user}; replace XX with the two-letter country code (ISO 3166-1), for example NL."
    ),
    "graph.reassign": (
        "Assigns one unused {sku} license to a user who needs it (put that user's id in the path). Graph has no "
        "call to change how many licenses are bought; do that in the admin center."
    ),
    "graph.holders": "Lists the users who hold {sku}.",
    "graph.combination": "Removes {sku} from {user}; {keep} stays and covers it.",
    "graph.cross_remove": "Run in the tenant where the license is not needed: removes {sku} from {user} there.",
    # --- link titles ----------------------------------------------------------------------------
    "link.move_users": "Move users to a different subscription",
    "link.assign_licenses": "Assign licenses to users",
    "link.unassign_licenses": "Unassign licenses from users",
    "link.buy_licenses": "Buy or remove licenses",
    "link.admin_roles": "About admin roles in the Microsoft 365 admin center",
    "link.cancel_subscription": "Cancel your subscription",
    "link.renew_subscription": "Renew your subscription",
    "link.subscription_ends": "What happens to my data and access when my subscription ends?",
    "link.group_licensing": "Assign licenses to users by group membership",
    "link.group_problems": "Identify and resolve license assignment problems for a group",
    "link.resolve_find": "Resolve group license problems: find license assignment errors",
    "link.resolve_count": "Resolve group license problems: not enough licenses",
    "link.resolve_conflict": "Resolve group license problems: conflicting service plans",
    "link.resolve_dependency": "Resolve group license problems: other products depend on this license",
    "link.resolve_location": "Resolve group license problems: usage location isn't allowed",
    "link.resolve_proxy": "Resolve group license problems: duplicate proxy addresses",
    "link.resolve_reprocess": "Resolve group license problems: force group license processing",
    "link.vlsc": "Volume Licensing Service Center",
    "link.mailbox_migration": "Cross-tenant mailbox migration",
    "link.sharepoint_migration": "Migrate SharePoint data",
}
