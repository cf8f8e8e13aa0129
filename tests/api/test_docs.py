"""The API docs page works on an intranet: every asset comes from this site, no inline
script (the CSP allows only 'self'), and a real browser renders the operations."""

import re

import pytest

from tests.orgs.test_browser import (  # noqa: F401  (fixtures)
    browser,
    database_snapshot,
    site,
)


@pytest.mark.django_db
def test_docs_page_loads_only_local_assets_and_no_inline_script(client):
    html = client.get("/api/v1/docs").content.decode()
    sources = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/static/") for s in sources), sources
    for tag, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in tag or 'type="application/json"' in tag, (tag, body[:80])


@pytest.mark.browser
def test_docs_page_renders_operations_offline(browser, site):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    outside = []
    page.route("**/*", lambda route: (route.continue_() if route.request.url.startswith(site)
                                      else (outside.append(route.request.url), route.abort())))
    page.goto(f"{site}/api/v1/docs")
    page.locator(".opblock").first.wait_for(timeout=15000)
    assert page.locator(".opblock").count() > 10
    assert "技能 Jineng 开放接口" in page.locator(".info .title").inner_text()
    assert not outside
    context.close()
