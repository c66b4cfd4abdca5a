"""Colours shared by the scan table and the lead list (no imports: the list loads without the scan's models)."""

PROVIDER_STYLE = {"m365": "cyan", "google": "yellow", "unknown": "red", "none": "dim", "other": "magenta"}
STATUS_STYLE = {"ok": "green", "partial": "yellow", "failed": "red"}
CATEGORY_STYLE = {"P1": "bold green", "P2": "bold cyan", "P3": "yellow", "P4": "yellow", "P5": "dim", "P6": "dim"}
