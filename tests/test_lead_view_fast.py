"""``Lead.from_result`` (the score's lead, built once per scanned domain without validating the
result's models again) is the same lead as ``Lead.from_view`` of the stored JSON view, and the
same as the validating construction it replaced, for every kind of domain the loopback zones hold.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from test_facts_agree import CASES, STATES

from hunter_cli.lead import Lead
from hunter_cli.lead.view import _VERDICT_FIELDS, _unicode, result_tenant_known
from hunter_cli.models import DomainResult

ZONES = Path(__file__).parent / "zones"


def _validating(result: DomainResult, cosell: bool) -> Lead:
    """The construction ``from_result`` used before (every nested model validated again)."""
    lead = Lead.from_view(result.model_dump(include=_VERDICT_FIELDS), cosell=cosell)
    lead.tenant_known = result_tenant_known(result)
    lead.domain, lead.domain_unicode = result.domain, _unicode(result.domain)
    lead.scanned_at, lead.provider_name = result.scanned_at, result.provider_name
    lead.mx_errors, lead.mx_warnings = result.mx_errors, result.mx_warnings
    lead.verifications, lead.registration = result.verifications, result.registration
    lead.microsoft, lead.services = result.microsoft, list(result.services)
    lead.score, lead.segment, lead.category, lead.reasons = (
        result.score,
        result.segment,
        result.category,
        result.reasons,
    )
    return lead


def _domains() -> list[str]:
    names = set(json.loads((ZONES / "providers_expected.json").read_text())) | set(CASES) | set(STATES)
    for zone in ("footprint.zone", "dmarc_mx.zone", "mx_hosts.zone"):
        for line in (ZONES / zone).read_text().splitlines():
            m = re.match(r"^([a-z0-9.-]+)\.\s", line)
            if m and " MX " in line:  # an owner with MX: a scanned domain, not a provider host
                names.add(m.group(1))
    return sorted(names)


def test_from_result_is_the_lead_of_the_stored_view(hunter, dns, tmp_path):
    dns.faults[("_spf.yavas.spf-saglayici.net", "TXT")] = "servfail"  # bozuk-dns.com.tr: SPF temperror, partial
    domains = _domains()
    assert len(domains) > 40
    path = tmp_path / "list.txt"
    path.write_text("\n".join(domains) + "\n")
    scanned = hunter.scan_json(str(path), "--no-whois")
    assert set(scanned) == set(domains)
    kinds = set()
    for domain, data in scanned.items():
        result = DomainResult.model_validate(data)
        for cosell in (False, True):
            fast = Lead.from_result(result, cosell=cosell)
            stored = Lead.from_view(data, cosell=cosell, tenant_known=result_tenant_known(result))
            assert fast.model_dump() == stored.model_dump(), domain
            assert fast.model_dump() == _validating(result, cosell).model_dump(), domain
            assert isinstance(fast.dkim, type(stored.dkim)) and type(fast.spf) is type(stored.spf)
        kinds.add((fast.state, fast.dkim_state, fast.spf_result, fast.dmarc_result, fast.mx_state))
    # the comparison covered every verdict of every fact, not a handful of easy domains
    assert {k[0] for k in kinds} == {"active", "nxdomain", "parked"}
    assert {k[1] for k in kinds} == {"key", "delegated", "none"}
    assert {k[2] for k in kinds} >= {"valid", "permerror", "temperror", "none"}
    assert {k[3] for k in kinds} >= {"valid", "invalid", "absent"}
    assert {k[4] for k in kinds} >= {"hosts", "null", "none"}
    assert {d["status"] for d in scanned.values()} >= {"ok", "partial"}
