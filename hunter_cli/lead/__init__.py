"""What Hunter knows about one domain now, as one typed value (see :mod:`hunter_cli.lead.view`)."""

from __future__ import annotations

from .view import DmarcResult, Lead, MxState, as_lead

__all__ = ["DmarcResult", "Lead", "MxState", "as_lead"]
