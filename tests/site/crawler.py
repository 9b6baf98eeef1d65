"""A breadth-first crawler over the site with Django's test client: every same-site link a reader is shown, and the
status each answers.

Links are the ``href`` of ``<a>`` elements and the ``hx-get`` of elements htmx loads from: anything a reader can
follow or a page fetches for them. Pages that are not HTML (CSV, PDF, calendar feeds, JSON) are fetched and must
answer 200, but are not read for links.
"""

from __future__ import annotations

import html
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

#: Links the crawler does not follow: the admin (its own permission system), signing out (it would end the crawl),
#: Swagger UI (a page of script, with no links of ours in it) and static files.
SKIPPED_PREFIXES = ("/admin/", "/accounts/logout", "/api/docs", "/static/")
#: The same page with other query strings (a list's sort orders, filters and pages: one view, one access check)
#: is fetched this many times at most; every distinct path is fetched.
QUERY_VARIANTS = 4

_LINK = re.compile(r"""<(?:a\b[^>]*?\shref|[a-z][a-z0-9]*\b[^>]*?\shx-get)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)


def links_of(page: str, base: str) -> list[str]:
    """The same-site links (path and query, no fragment) of the HTML ``page`` found at ``base``."""
    found = []
    for double, single in _LINK.findall(page):
        href = html.unescape(double or single).strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        parts = urlsplit(urljoin("http://testserver" + base, href))
        if parts.netloc == "testserver":
            found.append(urldefrag(parts.path + (f"?{parts.query}" if parts.query else ""))[0])
    return found


@dataclass
class Crawl:
    """What a crawl found: each address's status and the page where it was first linked."""

    statuses: dict[str, int] = field(default_factory=dict)
    linked_from: dict[str, str] = field(default_factory=dict)
    html_pages: int = 0
    capped: bool = False

    @property
    def failures(self) -> list[str]:
        return [
            f"{url} answered {status}, linked from {self.linked_from[url]}"
            for url, status in self.statuses.items()
            if status != 200
        ]


def crawl(client, start: str, *, cap: int = 400, skip: tuple[str, ...] = ()) -> Crawl:
    """Fetch ``start`` and every same-site address reachable from it, breadth-first, up to ``cap`` addresses (and
    none of ``skip``). Redirects are not followed: a link leads straight to its page (a redirect to the login page
    means the reader was shown a link they cannot open)."""
    result = Crawl(linked_from={start: "the start"})
    queue = deque([start])
    variants: Counter[str] = Counter()
    while queue:
        if len(result.statuses) >= cap:
            result.capped = True
            break
        url = queue.popleft()
        response = client.get(url)
        result.statuses[url] = response.status_code
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        result.html_pages += 1
        for link in links_of(response.content.decode(), url):
            if link in result.linked_from or link in skip or link.startswith(SKIPPED_PREFIXES):
                continue
            path = link.split("?", 1)[0]
            if "?" in link:
                if variants[path] >= QUERY_VARIANTS:
                    continue
                variants[path] += 1
            result.linked_from[link] = url
            queue.append(link)
    return result
