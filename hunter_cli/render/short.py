"""Short forms of the values tables show on narrow (80-column) terminals, and which columns give way first.

Data, not code: whole words a rep reads at a glance instead of values cut to ``quarant…`` or
``Migrati…``. docs/cli.md ("Tables at 80 columns") lists them.
"""

from __future__ import annotations

# Short forms for the narrow layout (80 columns): whole words a rep reads at a glance, never "quarant…".
SHORT = {
    "provider": {"self-hosted": "own srv", "hosting": "hosting", "unknown": "?"},
    "tenant": {"Managed": "Mgd", "Federated": "Fed", "Unknown": "?"},
    "dmarc": {"quarantine": "quar", "reject": "reject", "none": "none"},
    "segment": {"Existing": "Exist", "Migration": "Migr"},
}
# Columns that give way, in this order, when the narrow layout still does not fit (docs/cli.md).
GIVE_WAY = ("gateway", "tenant", "segment", "crm", "referrals", "dmarc")
