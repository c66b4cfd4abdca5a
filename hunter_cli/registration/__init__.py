"""Domain registration data: registrar, creation and expiry dates, nameservers.

A domain is looked up over RDAP (RFC 9082/9083) when the IANA bootstrap file names an
RDAP service for its TLD, else over port-43 WHOIS (RFC 3912) when a WHOIS server is
known for the TLD, else it is reported as unavailable. Nothing is downloaded at run
time but the lookups themselves: the RDAP bootstrap file ships in ``hunter_cli/data``
and is only refreshed on request (:func:`hunter_cli.registration.rdap.refresh_bootstrap`).

Modules:

- :mod:`.rdap`: bootstrap loading/matching (RFC 9224), RDAP domain-object parsing.
- :mod:`.whois`: the WHOIS server table, the port-43 client and the text parser.
- :mod:`.lookup`: :func:`~hunter_cli.registration.lookup.lookup`, which picks the
  protocol and returns a :class:`hunter_cli.models.Registration`.

A :class:`RegistrationFailure` is a lookup that did not get an answer (timeout,
connection refused, HTTP 5xx, rate limiting): the caller records it as an error and
tries again in a later run. It is never turned into ``status="unavailable"``, which
means the registry answered and there is nothing to show (not registered, no service
for the TLD, or nothing parsable).
"""

from __future__ import annotations


class RegistrationFailure(Exception):
    """A registration lookup that got no usable answer; worth retrying later.

    ``kind`` is a short machine word (``timeout``, ``unreachable``, ``rate-limited``,
    ``server-error``, ``http-error``, ``protocol``, ``empty-answer``) and ``message``
    a sentence for people, redacted and bounded (:func:`hunter_cli.redact.summary`)
    since it is stored with the scan.
    """

    def __init__(self, kind: str, message: str):
        from ..redact import summary

        message = summary(message, 300)
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message

    def __repr__(self) -> str:
        return f"RegistrationFailure(kind={self.kind!r}, message={self.message!r})"


__all__ = ["RegistrationFailure"]
