"""A subscription as `apply --commerce` and `undo --commerce` re-read it, decoded once: the fields
their checks read, from either API (a billing account's subscription holds them in `properties`;
Partner Center's at the top), and the document as the API answered it (Partner Center's update
takes the resource as read, changed: auditor.vendors.partner_center's update_subscription)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..billing.commerce_records import ProductTerm, next_term_product
from ..billing.untrusted import JsonObject

BILLING_ACCOUNT = "billing-account"


def _text(value: object) -> str:
    return str(value or "")


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _said(value: object) -> str | None:
    """A text as given (a str subclass, such as an SDK's enum, stays itself); None when not given."""
    return value if isinstance(value, str) or value is None else str(value)


def _object(value: object) -> Mapping[str, object]:
    """An object of the answer as it gives it (each value checked where it is read), else empty."""
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class Reread:
    """What the API says of the subscription now."""

    status: str = ""
    quantity: int | None = None  # None: not given, or not a whole number (`said_quantity` shows it)
    said_quantity: str = "None"  # the quantity as the answer gives it, for the messages
    product: str = ""  # productTypeId:skuId (billing account) or productId:skuId of the offerId (Partner Center)
    cancellation: str | None = None  # systemOverrides.cancellation (billing account); None: not given
    cancellable_until: str = ""  # systemOverrides.cancellationAllowedEndDate, its day (YYYY-MM-DD)
    refundable: int = 0  # refundableQuantity.totalQuantity (Partner Center)
    auto_renew: bool = False  # autoRenewEnabled
    scheduled: bool = False  # scheduledNextTermInstructions is given
    scheduled_quantity: int | None = None  # scheduledNextTermInstructions.quantity
    said_scheduled: str = "None"
    offer_id: str = ""  # Partner Center's offerId
    next_term: ProductTerm | None = None  # the product the renewal keeps (billing.commerce_records.next_term_product)
    # the subscription as the API answered it: free JSON, which Partner Center's update takes back changed
    document: JsonObject = field(default_factory=dict, compare=False, repr=False)


def reread(source: str, answer: JsonObject) -> Reread:
    """The subscription of `answer` (a billing account's or Partner Center's, by `source`); a field
    the answer does not give, or gives in another type, reads as not given."""
    doc = dict(answer)
    props = _object(doc.get("properties")) if source == BILLING_ACCOUNT else doc
    overrides = _object(props.get("systemOverrides"))
    scheduled = props.get("scheduledNextTermInstructions")
    quantity = props.get("quantity")
    asked = _object(scheduled).get("quantity")
    if source == BILLING_ACCOUNT:
        product = f"{props.get('productTypeId')}:{props.get('skuId')}"
    else:
        product = ":".join(_text(props.get("offerId")).split(":")[:2])
    return Reread(
        status=_text(props.get("status")),
        quantity=_int(quantity),
        said_quantity=str(quantity),
        product=product,
        cancellation=_said(overrides.get("cancellation")),
        cancellable_until=_text(overrides.get("cancellationAllowedEndDate"))[:10],
        refundable=_int(_object(props.get("refundableQuantity")).get("totalQuantity")) or 0,
        auto_renew=bool(props.get("autoRenewEnabled")),
        scheduled=bool(scheduled),
        scheduled_quantity=_int(asked),
        said_scheduled=str(asked),
        offer_id=_text(props.get("offerId")),
        next_term=next_term_product(props.get("offerId"), props.get("billingCycle"), props.get("termDuration")),
        document=doc,
    )
