"""The site's URLs plus one view that fails (tests/core/test_error_pages.py)."""

from django.urls import path

from jineng.urls import urlpatterns as site_urls


def fail(request):
    raise RuntimeError("故意出错")


urlpatterns = [path("fail/", fail), *site_urls]
