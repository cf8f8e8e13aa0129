"""Every model with a scoped manager (`objects.restrict`) has a case in the scope matrix
(tests/scope_cases.py), registered from its app's tests/<app>/test_scope_cases.py: a new
scoped model without one fails here."""

import importlib
from pathlib import Path

from django.apps import apps

from jineng.core.scope import ScopedQuerySet
from jineng.people.models import Person
from tests.scope_cases import ScopeCases

TESTS = Path(__file__).resolve().parents[1]


def _load_cases() -> dict[type, type]:
    for path in sorted(TESTS.glob("*/test_scope_cases.py")):
        importlib.import_module(f"tests.{path.parent.name}.test_scope_cases")
    return ScopeCases.registry


def scoped_models() -> list[type]:
    return [m for m in apps.get_models()
            if issubclass(m._default_manager._queryset_class, ScopedQuerySet)]


def uncovered(registry: dict[type, type]) -> set[str]:
    return {m._meta.label for m in scoped_models() if m not in registry}


def test_every_scoped_model_has_a_scope_case():
    registry = _load_cases()
    assert uncovered(registry) == set(), (
        "这些模型有数据范围（ScopedManager）却没有范围测试：请在 tests/<app>/test_scope_cases.py "
        "中为它们各写一个 ScopeCases 子类")


def test_every_case_is_collected_and_names_a_scoped_model():
    registry = _load_cases()
    scoped = set(scoped_models())
    for model, case in registry.items():
        assert case.__name__.startswith("Test"), f"{case.__name__} 不会被 pytest 收集"
        assert model in scoped, f"{case.__name__} 的 {model.__name__} 没有数据范围"


def test_the_walk_finds_the_scoped_models_and_reports_a_missing_case():
    labels = {m._meta.label for m in scoped_models()}
    assert {"orgs.User", "orgs.Region", "people.Person", "people.PersonChange",
            "people.PersonImport", "catalog.PolicyVersion"} <= labels
    assert "core.AuditEvent" not in labels  # the audit trail has its own reader
    registry = dict(_load_cases())
    del registry[Person]
    assert uncovered(registry) == {"people.Person"}
