"""`hunter data update`: explicit refresh of bundled data, validated, atomic, never half-done."""

import http.server
import threading
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hunter_cli.cli import app
from hunter_cli.registration.rdap import load_bootstrap


@pytest.fixture
def files_server():
    import publicsuffixlist

    content = {
        "/psl.dat": Path(publicsuffixlist.__file__).with_name("public_suffix_list.dat").read_bytes(),
        "/dns.json": resources.files("hunter_cli.data").joinpath("rdap_dns.json").read_bytes(),
        "/garbage": b"<html>captive portal</html>",
    }

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = content.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()
    load_bootstrap.cache_clear()


def test_update_saves_validated_copies_that_are_then_used(files_server, tmp_path):
    env = {
        "XDG_DATA_HOME": str(tmp_path),
        "HUNTER_PSL_URL": files_server + "/psl.dat",
        "HUNTER_RDAP_BOOTSTRAP_URL": files_server + "/dns.json",
        "NO_COLOR": "1",
    }
    result = CliRunner().invoke(app, ["data", "update"], env=env)
    assert result.exit_code == 0, result.stdout
    assert (tmp_path / "hunter" / "public_suffix_list.dat").is_file()
    assert (tmp_path / "hunter" / "rdap_dns.json").is_file()
    status = CliRunner().invoke(app, ["data", "status"], env=env)
    assert str(tmp_path) in status.stdout and "bundled" not in status.stdout


def test_a_bad_download_keeps_the_old_copy_and_exits_1(files_server, tmp_path):
    env = {
        "XDG_DATA_HOME": str(tmp_path),
        "HUNTER_PSL_URL": files_server + "/garbage",
        "HUNTER_RDAP_BOOTSTRAP_URL": files_server + "/missing",
        "NO_COLOR": "1",
    }
    result = CliRunner().invoke(app, ["data", "update"], env=env)
    assert result.exit_code == 1
    assert "not updated" in result.stdout and "previous copy stays" in result.stdout
    assert not (tmp_path / "hunter" / "public_suffix_list.dat").exists()
    assert not (tmp_path / "hunter" / "rdap_dns.json").exists()
