"""Services between the CLI and the core: each owns one kind of run and returns a typed result.

- :mod:`.scan`: a scan run (lock, freshness, writer, run record, signals) and its ``ScanSummary``.
- :mod:`.brief`: the stored call brief of one domain.
- :mod:`.partner`: a referrals sync run; :mod:`.crm`: crm push and crm pull runs.

Services print nothing; the CLI picks a formatter (``hunter_cli.render.formats``) for what they return.
"""
