"""A wrong URL or a server error shows a Chinese page, under `make demo` too: the demo runs
with DEBUG off over plain HTTP (scripts/serve), its static files served by WhiteNoise."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.views.defaults import server_error

ROOT = Path(__file__).resolve().parents[2]
JINENG = Path(sys.executable).with_name("jineng")

# Run inside `jineng shell` with the demo's environment: what a browser would get.
PROBE = """
import json
from django.conf import settings
from django.test import Client
client = Client()
missing = client.get("/no-such-page/")
css = client.get("/static/jineng/app.css")
login = client.get("/login/")
print(json.dumps({
    "debug": settings.DEBUG, "missing_status": missing.status_code,
    "missing": missing.content.decode(), "css_status": css.status_code,
    "login_status": login.status_code, "csrf_cookie_secure": settings.CSRF_COOKIE_SECURE,
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE, "hsts": settings.SECURE_HSTS_SECONDS,
}))
"""


def demo_environment(tmp_path) -> dict:
    """The environment scripts/serve gives the server: its `export` line, evaluated by bash."""
    serve = (ROOT / "scripts" / "serve").read_text()
    exports = re.findall(r"^export .*$", serve, re.M)
    assert exports, "scripts/serve sets the demo's environment"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JINENG_", "DJANGO_"))}
    env["JINENG_DATA_DIR"] = str(tmp_path)
    env.pop("DATABASE_URL", None)
    printed = subprocess.run(["bash", "-c", f"{chr(10).join(exports)}; env -0"], env=env,
                             capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in printed.split("\0") if "=" in line)


def test_the_demo_shows_the_chinese_404_and_serves_its_static_files(tmp_path):
    result = subprocess.run([str(JINENG), "shell", "-c", PROBE], env=demo_environment(tmp_path),
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["debug"] is False
    assert seen["missing_status"] == 404
    assert "记录不存在或无权访问" in seen["missing"] and "Page not found" not in seen["missing"]
    assert seen["css_status"] == 200  # WhiteNoise serves the pages' styles without DEBUG
    # Plain HTTP on 127.0.0.1: cookies a browser sends back over HTTP, no redirect away.
    assert seen["login_status"] == 200
    assert not seen["csrf_cookie_secure"] and not seen["session_cookie_secure"]
    assert seen["hsts"] == 0


def test_the_server_error_page_is_chinese_and_needs_no_context():
    html = render_to_string("500.html")
    assert "系统出错了" in html and 'lang="zh-hans"' in html and "返回首页" in html
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and "系统出错了" in response.content.decode()


@pytest.mark.django_db
def test_a_view_that_fails_answers_with_the_chinese_500(client, settings):
    settings.ROOT_URLCONF = "tests.core.failing_urls"
    client.raise_request_exception = False
    response = client.get("/fail/")
    assert response.status_code == 500
    assert "系统出错了" in response.content.decode()
