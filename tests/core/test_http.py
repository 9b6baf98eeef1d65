"""core.http.client_ip: the client's address as the outermost trusted proxy saw it (issue 11, finding 5)."""

import pytest
from django.test import RequestFactory

from core.http import client_ip


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "10.0.0.2"),  # no proxy trusted: the header is anyone's words
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "192.0.2.66, 198.51.100.1", "198.51.100.1"),  # the client's own entry, left of ours, is ignored
        (2, "192.0.2.66, 198.51.100.1, 10.0.0.1", "198.51.100.1"),  # two proxies: the outer one wrote the client
        (2, "198.51.100.1", "10.0.0.2"),  # did not come through both proxies
        (1, "", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(settings, proxies, forwarded, expected):
    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
