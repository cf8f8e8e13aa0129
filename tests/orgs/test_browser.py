"""A real browser (Debian's Chromium through Playwright) against a live server: the 梁园区
officer signs in, sees 梁园区's institutions and not 睢阳区's, and signs out; on a phone the
menu folds behind a toggle.

The live server needs a transactional database, which Django empties after each test; a
snapshot taken before the first puts back exactly what was there (migration data, the demo,
the audit chain), so the next browser test and the tests that follow still find it.
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SHOTS = Path(os.environ.get("JINENG_SCREENSHOT_DIR", "/tmp"))

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("JINENG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"浏览器测试必须运行，但找不到 {CHROMIUM}（apt-get install chromium）")
        pytest.skip(f"{CHROMIUM} 不存在，跳过浏览器测试")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # from here are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright switches greenlets, and with them the context that holds Django's
    # connections: close ours first, or it would be left open when the test database is
    # dropped (PostgreSQL refuses to drop a database in use).
    connections.close_all()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    connections.close_all()


class Snapshot:
    """The whole test database, to be put back after a flush exactly as it was (the audit
    events' hashes cover their times to the microsecond): SQLite copies itself with its backup
    API, PostgreSQL every table with binary COPY."""

    def __init__(self, blocker):
        from django.db import connection

        self.blocker, self.connection = blocker, connection
        with blocker.unblock():
            connection.ensure_connection()
            if connection.vendor == "sqlite":
                import sqlite3

                self.copy = sqlite3.connect(":memory:")
                connection.connection.backup(self.copy)
            else:
                # The tables a flush empties (not django_migrations).
                tables = connection.introspection.django_table_names(
                    only_existing=True, include_views=False)
                with connection.cursor() as cursor:
                    self.tables = {table: self._copy_out(cursor, table) for table in tables}

    def restore_if_flushed(self):
        from django.db import transaction

        from jineng.orgs.models import Region

        with self.blocker.unblock():
            if Region.objects.exists():
                return
            if self.connection.vendor == "sqlite":
                self.connection.ensure_connection()
                self.copy.backup(self.connection.connection)
                return
            quote = self.connection.ops.quote_name
            with transaction.atomic(), self.connection.cursor() as cursor:
                # Without triggers (the foreign keys', people_person's reference checks) the
                # tables load in any order; a superuser's setting, undone at the commit.
                cursor.execute("SET LOCAL session_replication_role = replica")
                # The flush's post_migrate put the built-in roles back: empty it again. Its
                # sequences are not reset, so they stay past the ids they gave out.
                cursor.execute(f"TRUNCATE {', '.join(map(quote, self.tables))}")
                for table, rows in self.tables.items():
                    with cursor.copy(f"COPY {quote(table)} FROM STDIN (FORMAT BINARY)") as copy:
                        copy.write(rows)
            from django.contrib.contenttypes.models import ContentType

            ContentType.objects.clear_cache()  # the flush's post_migrate made them anew

    def _copy_out(self, cursor, table) -> bytes:
        quote = self.connection.ops.quote_name
        with cursor.copy(f"COPY {quote(table)} TO STDOUT (FORMAT BINARY)") as out:
            return b"".join(out)


@pytest.fixture(scope="module")
def database_snapshot(django_db_setup, django_db_blocker):
    """Torn down after the last test's flush: the tests that follow find the demo again."""
    snapshot = Snapshot(django_db_blocker)
    yield snapshot
    snapshot.restore_if_flushed()
    from django.db import connections

    connections.close_all()  # this context's connection: see `browser`


@pytest.fixture
def site(database_snapshot, transactional_db, live_server, monkeypatch):
    from django.db import connection

    # The live server's request threads close their connections after each request, so the
    # test database can be dropped at the end (PostgreSQL refuses while sessions are open).
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    database_snapshot.restore_if_flushed()  # an earlier browser test emptied it
    call_command("loaddemo", stdout=io.StringIO())  # idempotent: what the tests need is there
    return live_server.url


def sign_in(page, site, username, password):
    page.goto(f"{site}/login/")
    assert page.title().startswith("登录")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site}/")


def test_county_officer_sees_own_institutions_and_signs_out(browser, site, demo_password):
    from jineng.core.models import AuditEvent
    from jineng.orgs.models import Institution

    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, site, "county_411402", demo_password)
    assert page.get_by_test_id("user-scope").inner_text() == "梁园区"
    assert page.get_by_test_id("count-institutions").locator(".num").inner_text() == "3"

    page.get_by_role("navigation").get_by_role("link", name="机构", exact=True).click()
    page.wait_for_url(f"{site}/orgs/institutions/")
    table = page.get_by_test_id("list").inner_text()
    for name in Institution.objects.filter(region__code="411402").values_list("name", flat=True):
        assert name in table
    for name in Institution.objects.filter(region__code="411403").values_list("name", flat=True):
        assert name not in table
    assert "睢阳区" not in table
    page.screenshot(path=str(SHOTS / "jineng-institutions.png"), full_page=True)

    page.get_by_test_id("logout").click()
    page.wait_for_url(f"{site}/login/")
    page.goto(f"{site}/orgs/institutions/")
    assert page.url.startswith(f"{site}/login/")
    actions = list(
        AuditEvent.objects.filter(actor_name="county_411402").order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["login", "logout"]
    context.close()


def test_phone_layout_folds_the_menu(browser, site, demo_password):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    sign_in(page, site, "county_411402", demo_password)
    menu = page.get_by_role("navigation", name="主菜单")
    assert not menu.is_visible()
    # Nothing is wider than the screen: no sideways scrolling of the whole page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    toggle = page.get_by_role("button", name="菜单")
    toggle.focus()
    page.keyboard.press("Enter")  # a real button: it opens from the keyboard
    assert menu.is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    page.screenshot(path=str(SHOTS / "jineng-phone-menu.png"))
    menu.get_by_role("link", name="机构", exact=True).click()
    page.wait_for_url(f"{site}/orgs/institutions/")
    assert "商丘市梁园区金蓝领职业培训学校" in page.get_by_test_id("list").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(SHOTS / "jineng-phone.png"), full_page=True)
    context.close()
