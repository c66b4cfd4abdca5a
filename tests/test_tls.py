"""The shared TLS context trusts the operating system's store: a TLS-inspection root put there works.

A loopback HTTPS server presents a certificate issued by a made-up "corporate
inspection root", the way a TLS-inspecting proxy re-signs every site. On Linux
the system store is what OpenSSL reads (``SSL_CERT_FILE``, as
``update-ca-certificates`` leaves the distribution's bundle), so the tests put
the root there; certifi's bundle alone refuses the same server.
"""

from __future__ import annotations

import asyncio
import http.server
import ssl
import sys
import threading
from importlib import resources
from pathlib import Path

import certifi
import httpx
import pytest
from stsserver import issue
from typer.testing import CliRunner

from hunter_cli import http as hunter_http
from hunter_cli.cli import app
from hunter_cli.registration.rdap import load_bootstrap


def _issue(tmp: Path) -> tuple[Path, Path, Path]:
    """(root certificate, server chain, server key) files: a CA and a leaf for localhost and 127.0.0.1."""
    return issue(tmp, ["localhost"], ips=("127.0.0.1",), root_name=("Firma TLS Inspection Root", "Firma A.Ş."))


@pytest.fixture(scope="module")
def inspected(tmp_path_factory):
    """(base URL of an HTTPS server signed by the inspection root, a system bundle that includes that root)."""
    tmp = tmp_path_factory.mktemp("tls")
    root, chain, key = _issue(tmp)
    system = ssl.get_default_verify_paths().cafile
    bundle = tmp / "system-store.pem"  # the distribution's bundle with the root added, as IT would
    bundle.write_bytes((Path(system).read_bytes() if system else b"") + root.read_bytes())
    content = {
        "/ok": b"ok",
        "/psl.dat": Path(__import__("publicsuffixlist").__file__).with_name("public_suffix_list.dat").read_bytes(),
        "/dns.json": resources.files("hunter_cli.data").joinpath("rdap_dns.json").read_bytes(),
    }

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802
            body = content.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(chain, key)
    srv.socket = server_ctx.wrap_socket(srv.socket, server_side=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"https://localhost:{srv.server_address[1]}", bundle
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def fresh_tls():
    hunter_http.tls_context.cache_clear()
    yield
    hunter_http.tls_context.cache_clear()


def _get_httpx(url: str) -> httpx.Response:
    async def go():
        async with hunter_http.async_client(timeout=10.0) as client:
            return await client.get(url)

    return asyncio.run(go())


def _get_aiohttp(url: str) -> tuple[int, bytes]:
    import aiohttp

    async def go():
        connector = aiohttp.TCPConnector(ssl=hunter_http.tls_context())
        async with aiohttp.ClientSession(connector=connector) as session, session.get(url) as resp:
            return resp.status, await resp.read()

    return asyncio.run(go())


def test_an_inspection_root_in_the_system_store_is_trusted_by_httpx_and_aiohttp(inspected, fresh_tls, monkeypatch):
    url, bundle = inspected
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    resp = _get_httpx(url + "/ok")
    assert (resp.status_code, resp.content) == (200, b"ok")
    assert _get_aiohttp(url + "/ok") == (200, b"ok")


def test_hunter_data_update_works_behind_the_inspection_proxy(inspected, fresh_tls, tmp_path):
    url, bundle = inspected
    env = {
        "SSL_CERT_FILE": str(bundle),
        "XDG_DATA_HOME": str(tmp_path),
        "HUNTER_PSL_URL": url + "/psl.dat",
        "HUNTER_RDAP_BOOTSTRAP_URL": url + "/dns.json",
        "NO_COLOR": "1",
    }
    try:
        result = CliRunner().invoke(app, ["data", "update"], env=env)
    finally:
        load_bootstrap.cache_clear()
    assert result.exit_code == 0, result.stdout
    assert (tmp_path / "hunter" / "rdap_dns.json").is_file()


def test_certifi_alone_refuses_the_inspection_root(inspected):
    url, _ = inspected
    with httpx.Client(verify=ssl.create_default_context(cafile=certifi.where())) as client:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            client.get(url + "/ok")


def test_a_root_outside_every_store_is_refused(inspected, fresh_tls, monkeypatch):
    url, _ = inspected
    monkeypatch.setenv("SSL_CERT_FILE", certifi.where())  # a system store without the inspection root
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        _get_httpx(url + "/ok")


def _serials(ctx: ssl.SSLContext) -> set[str]:
    return {c["serialNumber"] for c in ctx.get_ca_certs()}


def test_without_a_system_store_certifi_is_used(inspected, fresh_tls, monkeypatch, tmp_path):
    url, _ = inspected
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "none.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "none"))
    monkeypatch.setattr(hunter_http, "CA_BUNDLE_CANDIDATES", ())
    ctx = hunter_http.tls_context()
    assert _serials(ctx) == _serials(ssl.create_default_context(cafile=certifi.where()))
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        _get_httpx(url + "/ok")


def test_a_distribution_bundle_is_found_when_openssl_looks_elsewhere(inspected, fresh_tls, monkeypatch, tmp_path):
    """A Python built with other default paths (a standalone build) still finds the distribution's bundle."""
    url, bundle = inspected
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "none.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "none"))
    monkeypatch.setattr(hunter_http, "CA_BUNDLE_CANDIDATES", (str(tmp_path / "missing.pem"), str(bundle)))
    assert _get_httpx(url + "/ok").status_code == 200


def test_windows_and_macos_use_truststore(inspected, fresh_tls, monkeypatch):
    """The platform branch builds truststore's context (its OpenSSL backend here, the system verifier there)."""
    import truststore

    url, bundle = inspected
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.setattr(sys, "platform", "darwin")
    ctx = hunter_http.tls_context()
    monkeypatch.undo()
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    assert isinstance(ctx, truststore.SSLContext)
    assert _get_httpx(url + "/ok").status_code == 200
    assert _get_aiohttp(url + "/ok")[0] == 200


def test_a_truststore_that_cannot_load_falls_back_to_certifi(fresh_tls, monkeypatch):
    monkeypatch.setitem(sys.modules, "truststore", None)  # import fails, as where its platform library is missing
    monkeypatch.setattr(sys, "platform", "win32")
    ctx = hunter_http.tls_context()
    monkeypatch.undo()
    assert _serials(ctx) == _serials(ssl.create_default_context(cafile=certifi.where()))
