"""Read the OpenID configuration and the user-realm documents. Pure functions.

``GET {base}/{domain}/v2.0/.well-known/openid-configuration`` answers 200 with
the tenant's GUID in ``issuer``/``token_endpoint`` when a tenant owns the
domain, and 400 ``invalid_tenant`` (AADSTS90002) when none does.
``GET {base}/getuserrealm.srf?login=someone@{domain}&json=1`` says how users
sign in: ``Managed`` (cloud accounts), ``Federated`` (an identity provider such
as ADFS or Okta, named in ``AuthURL``) or ``Unknown``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..models import TenantInfo

_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
NO_TENANT_ERRORS = frozenset({"invalid_tenant"})
NO_TENANT_CODES = frozenset({90002})


class UnexpectedAnswer(ValueError):
    """The endpoint answered, but not in a shape that says yes or no."""


def tenant_id_from(doc: dict) -> str | None:
    for key in ("issuer", "token_endpoint", "authorization_endpoint"):
        value = doc.get(key)
        if isinstance(value, str):
            m = _GUID.search(value)
            if m:
                return m.group(0).lower()
    return None


def parse_openid(status: int, doc: object) -> TenantInfo | None:
    """TenantInfo for 200, None for "no tenant"; UnexpectedAnswer otherwise."""
    if not isinstance(doc, dict):
        raise UnexpectedAnswer(f"HTTP {status} without a JSON object")
    if status == 200:
        tid = tenant_id_from(doc)
        if tid is None:
            raise UnexpectedAnswer("OpenID configuration without a tenant id")
        return TenantInfo(
            id=tid,
            region=doc.get("tenant_region_scope") or None,
            cloud=doc.get("cloud_instance_name") or None,
        )
    if status == 400:
        codes = doc.get("error_codes") or []
        if doc.get("error") in NO_TENANT_ERRORS or any(c in NO_TENANT_CODES for c in codes if isinstance(c, int)):
            return None
        raise UnexpectedAnswer(f"HTTP 400 {doc.get('error') or ''}".strip())
    raise UnexpectedAnswer(f"HTTP {status}")


def apply_realm(tenant: TenantInfo, doc: object) -> TenantInfo:
    """Add namespace type, brand and the federation host from getuserrealm's JSON."""
    if not isinstance(doc, dict):
        raise UnexpectedAnswer("user realm answer is not a JSON object")
    ns = doc.get("NameSpaceType")
    tenant.namespace_type = ns if ns in ("Managed", "Federated", "Unknown") else None
    brand = doc.get("FederationBrandName")
    tenant.brand = brand.strip() if isinstance(brand, str) and brand.strip() else None
    if ns == "Federated":
        url = doc.get("AuthURL") or doc.get("FederationActiveAuthUrl") or ""
        host = urlsplit(url).hostname if isinstance(url, str) and url else None
        tenant.federation_host = host.lower() if host else None
    return tenant
