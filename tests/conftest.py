"""Shared fixtures. The demo organisations are loaded once per test database; each test runs
in a transaction that is rolled back, so tests see the demo data and never each other's."""

import os

import hypothesis
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from jineng.orgs.demo import DEMO_PASSWORD

# No deadline: seven engineers share two cores, and a slow example is not a failure.
hypothesis.settings.register_profile("jineng", deadline=None)
hypothesis.settings.load_profile("jineng")


def pytest_configure(config):
    # Hashing the demo passwords with PBKDF2 would cost seconds per load.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": settings.TASK_QUEUES}}
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language, whatever the test before it activated (a
    request in English leaves English active on the thread)."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), open(os.devnull, "w") as quiet:
        call_command("loaddemo", stdout=quiet)


@pytest.fixture
def demo_password():
    return DEMO_PASSWORD


@pytest.fixture
def user_named(db):
    from jineng.orgs.models import User

    def get(username: str) -> User:
        return User.objects.get(username=username)

    return get


@pytest.fixture
def client_for(db, user_named):
    """A page client logged in as a demo account."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(user_named(username))
        return client

    return make


@pytest.fixture
def api_for(db, user_named):
    """An API client that sends a fresh bearer token of a demo account."""
    from jineng.orgs.services import token_create

    def make(username: str) -> Client:
        _, raw = token_create(actor=user_named("sysadmin"), user=user_named(username), name="测试")
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return make
