"""deploy/nginx: the reverse proxy production puts in front of gunicorn agrees with the app (its upload cap, the
headers it trusts, gunicorn's address and limits) and is a configuration nginx accepts. How it holds against slow
clients is measured by benchmarks/slow_clients.py."""

from __future__ import annotations

import re
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

NGINX = Path(settings.BASE_DIR) / "deploy" / "nginx"
SITE = (NGINX / "statprogram.conf").read_text()
PROXY = (NGINX / "statprogram-proxy.conf").read_text()


def directive(text: str, name: str) -> list[str]:
    return re.findall(rf"^\s*{name}\s+([^;]+);", text, re.MULTILINE)


def test_uploads_the_app_takes_fit_through_the_proxy():
    (size,) = directive(PROXY, "client_max_body_size")
    assert size.endswith("m")
    assert int(size[:-1]) * 1024 * 1024 >= settings.QUALITY_MAX_BYTES


def test_the_proxy_tells_the_app_who_and_how_the_client_connected():
    """X-Forwarded-For ends with the address nginx saw (core.http.client_ip reads that last entry when
    PROXY_COUNT=1) and X-Forwarded-Proto is the scheme (Django trusts it with BEHIND_TLS_PROXY)."""
    headers = dict(value.split(None, 1) for value in directive(PROXY, "proxy_set_header"))
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["Host"] == "$host"


def test_slow_clients_are_timed_out_and_both_directions_buffered():
    for name in ("client_header_timeout", "client_body_timeout", "send_timeout"):
        (value,) = directive(PROXY, name)
        assert int(value.rstrip("s")) <= 10, name
    assert directive(PROXY, "proxy_request_buffering") == ["on"]
    assert directive(PROXY, "proxy_buffering") == ["on"]
    assert directive(PROXY, "limit_conn") == ["statprogram_per_client 50"]


def test_the_proxy_matches_gunicorns_address_limits_and_keepalive(monkeypatch):
    for name in ("BIND", "GUNICORN_KEEPALIVE", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    conf = runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))
    upstream = SITE[SITE.index("upstream statprogram {") : SITE.index("}", SITE.index("upstream statprogram {"))]
    assert directive(upstream, "server") == [conf["bind"]]
    (keepalive,) = directive(upstream, "keepalive_timeout")
    assert int(keepalive.rstrip("s")) < conf["keepalive"], "nginx must drop idle upstream connections first"
    (read_timeout,) = directive(PROXY, "proxy_read_timeout")
    assert int(read_timeout.rstrip("s")) > conf["timeout"]
    (buffers,) = directive(PROXY, "large_client_header_buffers")
    assert buffers == "4 8k" and conf["limit_request_field_size"] <= 8 * 1024


def test_the_site_redirects_to_https_and_terminates_tls():
    assert "return 301 https://$host$request_uri;" in SITE
    assert re.search(r"listen 443 ssl", SITE)
    assert directive(SITE, "ssl_certificate") and directive(SITE, "ssl_certificate_key")
    assert "include snippets/statprogram-proxy.conf;" in SITE


@pytest.mark.skipif(not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists(), reason="nginx not installed")
def test_nginx_accepts_the_configuration(tmp_path):
    """The loopback configuration benchmarks/slow_clients.py builds from these files (the site's http-level part and
    the proxy snippet as they are), checked by nginx itself."""
    from benchmarks.slow_clients import nginx_config

    config = nginx_config(tmp_path, listen=18080, upstream=18000)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    check = subprocess.run([nginx, "-t", "-c", str(config), "-p", str(tmp_path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
