"""Microsoft Entra tenant signals from the public sign-in endpoints (no sign-in needed).

``parse`` turns the two documents into a :class:`~hunter_cli.models.TenantInfo`;
``client`` fetches them politely (bounded concurrency, keep-alive, Retry-After).
"""
