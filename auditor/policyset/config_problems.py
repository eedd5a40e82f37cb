"""report.json `config_problems`: what the configuration says that the run could not understand.

A policy naming a product that neither the tenant nor Microsoft's product table knows (a typo such
as SPE_E55), or a licensing group the tenant does not hold, used to drop its entry with one line in
report.md. Each is now a problem with the file and line, what was not understood, and what was done
instead, shown at the top of the digest and the report; `audit --strict` exits 2 on any.

    ConfigProblem(file="policies/contoso.yaml", line=12, code=..., what="...", instead="...")
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from auditor.billing import BillingFile
from auditor.common.errors import UsageError
from auditor.data.model import Sku, Subscription
from auditor.evaluation.engine import sku_references
from auditor.formats.report_model import ConfigProblem
from auditor.policy.index import is_guid
from auditor.policy.objects import PolicySet
from auditor.reference import product_names

_WHERE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<what>.*)$")


def _line_of(path: str, text: str) -> int | None:
    """The first line of the policy file that names `text` (the loader keeps lines per entry, not per SKU)."""
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    pattern = re.compile(r"(?<![\w-])" + re.escape(text) + r"(?![\w-])")
    return next((n for n, line in enumerate(lines, 1) if pattern.search(line)), None)


def unknown_products(policies: PolicySet, skus: Sequence[Sku]) -> list[ConfigProblem]:
    """Products the policies name that neither the tenant nor Microsoft's product table knows."""
    table = product_names()
    tenant = {s.sku_part_number.upper() for s in skus} | {s.sku_id.lower() for s in skus}
    known = sorted({s.sku_part_number for s in skus} | set(table.by_part))
    files = {p.name: p.file for p in policies.policies}
    out: list[ConfigProblem] = []
    seen: set[tuple[str, str]] = set()
    for name, ref in sku_references(policies):
        key = (name, ref.upper())
        if key in seen or ref.upper() in tenant or ref.lower() in tenant:
            continue
        seen.add(key)
        if (is_guid(ref) and table.product(sku_id=ref)) or table.product(part=ref):
            continue  # a real product this tenant does not subscribe to: nothing misunderstood
        close = difflib.get_close_matches(ref.upper(), known, n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]}?)" if close else ""
        file = files.get(name, name)
        out.append(
            ConfigProblem(
                file=file,
                line=_line_of(file, ref),
                code="unknown_product",
                product=ref,
                suggestion=close[0] if close else None,
                what=f"the product {ref} is known neither to the tenant nor to Microsoft's product table{hint}",
                instead="what the policy says of it is ignored",
            )
        )
    return out


def refuse_unknown_products(policies: PolicySet, skus: Sequence[Sku] | None, say: Callable[[str], None]) -> None:
    """`validate`: each product neither Microsoft's product table nor the tenant (`skus`, with --snapshot;
    None without) knows, said as `error: FILE:LINE: what` (the sentence audit's warning opens with), then
    UsageError (exit 2)."""
    unknown = unknown_products(policies, skus or ())
    for problem in unknown:
        say(f"error: {problem.file}:{problem.line or '?'}: {problem.what}")
    if unknown:
        newer = (
            "" if skus is not None else ", or, for a product newer than the table, give --snapshot of a tenant with it"
        )
        raise UsageError(
            f"{len(unknown)} product{'' if len(unknown) == 1 else 's'} that no table knows, named above: correct "
            f"the part number{newer} (Microsoft's product table: "
            "https://learn.microsoft.com/entra/identity/users/licensing-service-plan-reference)"
        )


def said(problem: ConfigProblem) -> str:
    """One problem as the console says it: `FILE:LINE: what; what was done instead`."""
    return f"{problem.file}:{problem.line or '?'}: {problem.what}; {problem.instead}"


def not_said_again(warnings: Iterable[str], problems: Iterable[ConfigProblem]) -> list[str]:
    """The warnings that are not one of `problems` (a licensing group not found is both an evaluation
    warning and a configuration problem: the console and the reports say it once, as the problem)."""
    shown = {said(p) for p in problems}
    return [str(w) for w in warnings if str(w) not in shown]


def from_warnings(warnings: Iterable[str]) -> list[ConfigProblem]:
    """The evaluation's warnings that name a place in a policy file (a licensing group not found)."""
    out = []
    for warning in warnings:
        match = _WHERE.match(warning)
        if match and "licensing_group" in match["what"]:
            what, _, instead = match["what"].partition("; ")
            out.append(
                ConfigProblem(
                    file=match["file"],
                    line=int(match["line"]),
                    code="licensing_group",
                    what=what,
                    instead=instead or "its findings wait for a person",
                )
            )
    return out


def policy_currencies(policies: PolicySet) -> set[str]:
    """The currencies of the policies' prices (one, in a well-formed set of policies)."""
    return {e.price.currency for p in policies.policies for e in (p.catalog or ()) if e.price is not None}


def billing_problems(
    billing: BillingFile | None, subscriptions: Sequence[Subscription], currencies: set[str]
) -> list[ConfigProblem]:
    """Billing rows that name no subscription of the tenant, and rows priced in another currency
    than the policy's prices (the bill then takes the policy's price: amounts in two currencies are
    never added)."""
    if billing is None:
        return []
    billing = billing.matched_only(subscriptions)
    out: list[ConfigProblem] = []
    if billing.left_out:
        # one line, whatever their number, and never their ids: another tenant's rows stay out of this report
        out.append(
            ConfigProblem(
                file=billing.path,
                line=billing.first_left_out,
                code="billing_unmatched",
                rows=billing.left_out,
                what=f"{billing.left_out:,} billing row(s) name no subscription of the tenant, the first on line "
                f"{billing.first_left_out} (a typo, a product name instead of the commerceSubscriptionId, or "
                "another tenant's rows)",
                instead="those rows are not used, and not kept in the report",
            )
        )
    if len(currencies) == 1:
        (currency,) = currencies
        out += [
            ConfigProblem(
                file=billing.path,
                line=row.line,
                code="billing_currency",
                subscription=row.subscription,
                currency=row.currency,
                policy_currency=currency,
                what=f"the billing row for {row.subscription} is priced in {row.currency}, the policy's prices "
                f"in {currency}",
                instead=f"the bill takes the policy's price in {currency} for it",
            )
            for row in billing.rows
            if row.currency and row.unit_price is not None and row.currency != currency
        ]
    return out


def config_problems(
    policies: PolicySet,
    skus: Sequence[Sku],
    warnings: Iterable[str],
    billing: BillingFile | None = None,
    subscriptions: Sequence[Subscription] = (),
) -> list[ConfigProblem]:
    problems = (
        unknown_products(policies, skus)
        + from_warnings(warnings)
        + billing_problems(billing, subscriptions, policy_currencies(policies))
    )
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.what))
