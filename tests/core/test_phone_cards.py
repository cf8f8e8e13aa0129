"""On a phone (390 px) a list shows each row as a card, every field under its column's name,
with nothing off-screen: the public catalogue's subsidy amount is in view."""

import pytest

from tests.orgs.test_browser import (  # noqa: F401  (fixtures)
    browser,
    database_snapshot,
    sign_in,
    site,
)

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

# For each cell of the list's first row: its label (the ::before text), its text and whether
# its box lies within the screen's width.
FIRST_CARD = """table => {
  const cells = [...table.querySelector('tbody tr').querySelectorAll('td')];
  return cells.map(td => ({
    label: getComputedStyle(td, '::before').content.replace(/^"|"$/g, ''),
    text: td.innerText.trim(),
    inView: td.getBoundingClientRect().left >= 0
      && td.getBoundingClientRect().right <= window.innerWidth,
    shown: td.getBoundingClientRect().height > 0,
  }));
}"""


def first_card(page) -> dict[str, dict]:
    cells = page.get_by_test_id("list").evaluate(FIRST_CARD)
    return {c["label"]: c for c in cells if c["shown"]}


NO_SIDEWAYS_SCROLLING = """() => document.documentElement.scrollWidth <= window.innerWidth
  && [...document.querySelectorAll('.table-wrap')].every(w => w.scrollWidth <= w.clientWidth)"""


def no_sideways_scrolling(page) -> bool:
    return page.evaluate(NO_SIDEWAYS_SCROLLING)


def test_a_list_shows_each_row_as_a_labelled_card(browser, site, demo_password):  # noqa: F811
    context = browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    sign_in(page, site, "county_411402", demo_password)
    page.goto(f"{site}/orgs/institutions/?q=金蓝领")
    card = first_card(page)
    assert card["名称"]["text"] == "商丘市梁园区金蓝领职业培训学校"
    assert card["类型"]["text"] == "培训机构"
    assert "梁园区" in card["地区"]["text"]
    assert len(card["统一社会信用代码"]["text"]) == 18
    assert all(c["inView"] for c in card.values())
    # The column headings are left for screen readers only.
    assert page.get_by_test_id("list").locator("thead").bounding_box()["height"] <= 1
    assert no_sideways_scrolling(page)
    context.close()


def test_public_catalogue_shows_the_subsidy_amount_on_a_phone(browser, site):  # noqa: F811
    context = browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    page.goto(f"{site}/catalogue/?region=411402&date=2024-01-01&q=养老护理员")
    card = first_card(page)
    assert card["职业"]["text"] == "养老护理员"
    amount = card["培训补贴标准（元）"]
    assert amount["inView"] and float(amount["text"]) > 0
    assert card["等级"]["inView"] and card["依据"]["inView"]
    assert no_sideways_scrolling(page)
    context.close()


def test_the_phone_menu_works_from_the_keyboard(browser, site, demo_password):  # noqa: F811
    context = browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    sign_in(page, site, "county_411402", demo_password)
    menu = page.get_by_role("navigation", name="主菜单")
    toggle = page.get_by_role("button", name="菜单")
    assert not menu.is_visible()
    page.keyboard.press("Tab")  # "skip to content", the brand, then the menu button
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "main-menu"
    page.keyboard.press("Enter")
    assert menu.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.textContent") == "首页"  # focus moved in
    page.keyboard.press("Escape")
    assert not menu.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "main-menu"
    page.keyboard.press("Space")
    assert menu.is_visible()
    context.close()


def test_skip_to_content_passes_the_menu(browser, site, demo_password):  # noqa: F811
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in(page, site, "county_411402", demo_password)
    page.goto(f"{site}/orgs/institutions/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    assert skip.is_visible()  # shown once it has the focus
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the next stop is in the page's body, not the menu
    assert page.evaluate("document.activeElement.closest('main') !== null")
    context.close()


def test_an_empty_list_says_so_in_full(browser, site, demo_password):  # noqa: F811
    context = browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    sign_in(page, site, "county_411402", demo_password)
    page.goto(f"{site}/orgs/institutions/?q=没有这样的机构")
    empty = page.get_by_test_id("list").locator("td.empty")
    box = empty.bounding_box()
    assert empty.inner_text() == "没有符合条件的记录"
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert no_sideways_scrolling(page)
    context.close()
