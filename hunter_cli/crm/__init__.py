"""Dynamics 365 Sales over the Dataverse Web API: push qualified leads, read their status back.

``auth`` (environment URL, scope, tokens), ``client`` (HTTP: retries, service
protection limits, paging), ``mapping`` (which Hunter field goes to which
``lead`` column; pure), ``push`` and ``pull`` (the two jobs), ``store`` (their
SQL), ``redact`` (what may leave the process of an error text).
"""
