"""A loopback HTTPS server standing in for MTA-STS policy hosts (``mta-sts.<domain>``, RFC 8461 3.3).

It serves ``/.well-known/mta-sts.txt`` for each policy host by the request's
``Host`` header, over TLS with a certificate issued by a made-up root for every
name in ``names`` (a policy host left out gets that certificate anyway: a name
mismatch, as a shared web host would give). The test DNS zones point the policy
hosts at 127.0.0.1; Hunter asks on this server's port through the ``mta_sts_port``
setting (``HUNTER_MTA_STS_PORT``) and trusts the root through ``SSL_CERT_FILE``.
"""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import ssl
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass
class Policy:
    """What one policy host answers: status, Content-Type, body and extra headers."""

    body: str = ""
    status: int = 200
    content_type: str | None = "text/plain"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a slow or hanging policy host)


def issue(
    folder: Path,
    names: list[str],
    *,
    ips: tuple[str, ...] = (),
    root_name: tuple[str, ...] = ("Hunter test root",),
    prefix: str = "",
) -> tuple[Path, Path, Path]:
    """(root certificate, server certificate, server key) files, written in ``folder`` with ``prefix``.

    The root is a made-up CA (``root_name``: its common name, then an organisation if given); the
    server's certificate, issued by it for a day, is valid for the DNS ``names`` and the ``ips``.
    Shared by this server and tests/test_tls.py's TLS-inspection proxy.
    """
    now = datetime.datetime.now(datetime.timezone.utc)
    root_key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, org) for org in root_name[1:]]
    root_subject = x509.Name([*attributes, x509.NameAttribute(NameOID.COMMON_NAME, root_name[0])])
    root = (
        x509.CertificateBuilder()
        .subject_name(root_subject)
        .issuer_name(root_subject)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(  # digital_signature, key_cert_sign, crl_sign
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    alt_names: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    alt_names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(root_subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    files = folder / f"{prefix}root.pem", folder / f"{prefix}chain.pem", folder / f"{prefix}key.pem"
    files[0].write_bytes(root.public_bytes(pem))
    files[1].write_bytes(leaf.public_bytes(pem))
    files[2].write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return files


class StsPolicyServer:
    """``with StsPolicyServer(folder, policies, names) as srv:`` serves on ``srv.port``; ``srv.root`` is the CA file.

    ``policies`` maps a policy host (``mta-sts.example.com``) to its :class:`Policy`; other
    hosts get 404. ``requests`` lists the hosts asked, in order.
    """

    def __init__(self, folder: Path, policies: dict[str, Policy], names: list[str]) -> None:
        self.policies = policies
        self.requests: list[str] = []
        self.root, chain, key = issue(folder, names, root_name=("Hunter test MTA-STS root",), prefix="sts-")
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
                server.requests.append(host)
                policy = server.policies.get(host) if self.path == "/.well-known/mta-sts.txt" else None
                policy = policy or Policy(status=404, body="not found")
                if policy.delay:
                    time.sleep(policy.delay)
                body = policy.body.encode()
                self.send_response(policy.status)
                if policy.content_type:
                    self.send_header("Content-Type", policy.content_type)
                for k, v in policy.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address):  # a client that gave up (timeout tests): not news
                pass

        self._srv = Server(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(chain, key)
        self._srv.socket = ctx.wrap_socket(self._srv.socket, server_side=True)
        self.port = self._srv.server_address[1]
        self._thread = threading.Thread(target=self._srv.serve_forever, daemon=True)

    def __enter__(self) -> StsPolicyServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._srv.shutdown()
        self._srv.server_close()
