"""A company's Microsoft footprint, its other cloud services and the plays they suggest.

Pure functions over plain data; the data lives in ``hunter_cli/catalog/``
(``microsoft.json``, ``services.json``, ``plays.json``). See docs/footprint.md.

- :func:`questions` / :func:`microsoft_footprint`: Microsoft workloads from DNS answers.
- :func:`find_services`: other cloud services from TXT, SPF, DKIM, NS and federation evidence.
- :func:`choose_plays`: Microsoft plays from both, in English or Turkish.
"""

from .microsoft import MailSecurity, MicrosoftFootprint, Reply, Workload, microsoft_footprint, questions, reply_from
from .microsoft import workload_tags as workload_tags
from .plays import Play, TenantFacts, choose_plays
from .services import FoundService, find_services

__all__ = [
    "FoundService",
    "MailSecurity",
    "MicrosoftFootprint",
    "Play",
    "Reply",
    "TenantFacts",
    "Workload",
    "choose_plays",
    "find_services",
    "microsoft_footprint",
    "questions",
    "reply_from",
    "workload_tags",
]
