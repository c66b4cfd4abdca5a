"""Hunter: lead discovery from public DNS for a Microsoft cloud partner's sales team."""

__version__ = "0.1.0"
