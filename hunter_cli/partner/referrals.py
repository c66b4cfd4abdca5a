"""Read referral payloads from the Partner Center Referrals API. Pure functions.

A referral names a customer, not a domain; the company's domain is worked out
from the customer contacts' e-mail addresses first, then website-like fields,
never from a free-mail address. Referrals that yield no domain are kept and
listed as unlinked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..domains import Rejected, normalize

ACTIVE_STATUSES = frozenset({"new", "active"})
WEBSITE_KEYS = ("website", "companyWebsite", "webSite", "url", "domain")


class MalformedReferral(ValueError):
    """A referral item that cannot be stored; the message says what is wrong."""


def _said(key: str):
    from ..said import Said

    return Said(key)


def _json_type(name: str) -> str:
    """A Python type's name (str, list) as the command's language calls a JSON value of that type."""
    from ..brief.messages import load
    from ..said import Said

    return Said.worded(name, f"cli.json.type.{name}") if f"cli.json.type.{name}" in load("en") else name


@dataclass
class Referral:
    id: str
    engagement_id: str | None
    name: str | None
    status: str | None
    substatus: str | None
    type: str | None  # Independent or Shared
    qualification: str | None
    direction: str | None
    kind: str  # cosell, marketplace or partner
    customer_name: str | None
    address: dict
    size: str | None
    contacts: list[dict]
    microsoft_contact: str | None
    deal_value: float | None
    currency: str | None
    closing_date: str | None
    requirements: dict
    created: str | None
    updated: str | None
    domain: str | None
    domain_source: str | None
    raw: dict = field(repr=False, default_factory=dict)

    @property
    def active(self) -> bool:
        return (self.status or "").lower() in ACTIVE_STATUSES


def _obj(value, what: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        from ..said import Said

        kind = type(value).__name__
        raise MalformedReferral(Said("cli.partner.malformed.field_not_object", field=what, kind=_json_type(kind)))
    return value


def _people(value) -> list[dict]:
    if not isinstance(value, list):
        return []
    out = []
    for p in value:
        if isinstance(p, dict):
            name = " ".join(x for x in (p.get("firstName"), p.get("lastName")) if isinstance(x, str) and x).strip()
            out.append(
                {
                    "name": name or None,
                    "email": p.get("email") if isinstance(p.get("email"), str) else None,
                    "phone": p.get("phoneNumber") if isinstance(p.get("phoneNumber"), str) else None,
                }
            )
    return out


def kind_of(type_: str | None, qualification: str | None) -> str:
    """co-sell (Shared with Microsoft), marketplace-style lead, or partner-sourced."""
    q = (qualification or "").lower()
    if "marketplace" in q:
        return "marketplace"
    if (type_ or "").lower() == "shared" or q == "shared":
        return "cosell"
    return "partner"


def find_domain(contacts: list[dict], *sources: dict) -> tuple[str | None, str | None]:
    """The customer's company domain: contact e-mails first, then website-like fields; no free mail."""
    for c in contacts:
        email = c.get("email")
        if email and "@" in email and not email.lower().endswith(("@microsoft.com", ".microsoft.com")):
            d = normalize(email)
            if not isinstance(d, Rejected):
                return d, "contact e-mail"
    for src in sources:
        for key in WEBSITE_KEYS:
            value = src.get(key)
            if isinstance(value, str) and value.strip():
                d = normalize(value)
                if not isinstance(d, Rejected):
                    return d, key
    return None, None


def parse(item) -> Referral:
    """One referral from the API's JSON. Raises MalformedReferral for items that cannot be stored."""
    if not isinstance(item, dict):
        raise MalformedReferral(_said("cli.partner.malformed.not_object"))
    rid = item.get("id")
    if not isinstance(rid, str) or not rid.strip():
        raise MalformedReferral(_said("cli.partner.malformed.no_id"))
    customer = _obj(item.get("customerProfile"), "customerProfile")
    details = _obj(item.get("details"), "details")
    address = _obj(customer.get("address"), "customerProfile.address")
    contacts = _people(customer.get("team"))
    team = _people(item.get("team"))
    invite = _obj(item.get("inviteContext"), "inviteContext") if isinstance(item.get("inviteContext"), dict) else {}
    people = team + (_people([invite["invitedBy"]]) if invite.get("invitedBy") else [])
    microsoft = next(
        (
            f"{p['name']} <{p['email']}>" if p["name"] else p["email"]
            for p in people
            if p.get("email") and p["email"].lower().endswith("microsoft.com")
        ),
        None,
    )
    deal = details.get("dealValue")
    try:
        deal_value = float(deal) if deal is not None else None
    except (TypeError, ValueError):
        deal_value = None
    domain, source = find_domain(contacts, customer, item, details)
    closing = details.get("closingDateTime")
    return Referral(
        id=rid.strip(),
        engagement_id=item.get("engagementId"),
        name=item.get("name"),
        status=item.get("status"),
        substatus=item.get("substatus"),
        type=item.get("type"),
        qualification=item.get("qualification"),
        direction=item.get("direction"),
        kind=kind_of(item.get("type"), item.get("qualification")),
        customer_name=customer.get("name") if isinstance(customer.get("name"), str) else None,
        address=address,
        size=customer.get("size") if isinstance(customer.get("size"), str) else None,
        contacts=contacts,
        microsoft_contact=microsoft,
        deal_value=deal_value,
        currency=details.get("currency"),
        closing_date=closing[:10] if isinstance(closing, str) else None,
        requirements=_obj(details.get("requirements"), "details.requirements"),
        created=item.get("createdDateTime"),
        updated=item.get("updatedDateTime"),
        domain=domain,
        domain_source=source,
        raw=item,
    )
