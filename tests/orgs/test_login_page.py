"""The login page leads those without an account to the public pages."""

import re

import pytest
from django.test import Client


def public_links(html: str) -> dict[str, str]:
    nav = re.search(r'<nav class="public-links".*?</nav>', html, re.S)
    assert nav, "the login page has its public links"
    return {text: href for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav[0])}


@pytest.mark.django_db
def test_login_page_links_to_the_public_catalogue():
    html = Client().get("/login/").content.decode()
    links = public_links(html)
    assert links["补贴性培训职业目录"] == "/catalogue/"
    # Certificate verification is linked once its page exists (portal:verify); not before.
    assert "证书查验" not in links
    catalogue = Client().get(links["补贴性培训职业目录"])
    assert catalogue.status_code == 200  # no login needed

