"""The data-scope case matrix as a mixin (NetBox's ViewTestCases are the model).

Each app's tests/<app>/test_scope_cases.py declares one subclass per scoped model:

    class TestInstitutionScope(ScopeCases):
        model = Institution
        page_list = "/orgs/institutions/?q={obj.name}"
        page_detail = "/orgs/institutions/{obj.pk}/"
        api_list = "/api/v1/institutions?q={obj.name}"
        api_detail = "/api/v1/institutions/{obj.pk}"

        def make(self, user_named):            # one record in 睢阳区 (411403)
            return Institution.objects.create(...)

        def select(self, user, obj):           # the app's selector for the list
            return selectors.institution_list(user=user, q=obj.name)

and inherits these cases, each through the selector, the list and detail pages, the list's
export and the API list and detail where the class names them:

- a sibling county (梁园区, 411402) cannot see it, and opening it is the same 404 as opening
  a record that does not exist;
- its own county (睢阳区) sees it, and so does the city above (商丘, 411400);
- a worker sees only what is their own (the model's owner fields name them);
- a user whose roles grant nothing sees nothing.

A model whose data has no region (`ScopeSpec(is_global=True)`) lists who reads it in
`readers` and has no `outsiders`. Subclassing registers the class in `ScopeCases.registry`;
tests/core/test_scope_coverage.py fails when a model with a scoped manager has none.
"""

from typing import ClassVar

import pytest
from django.db import models

from jineng.orgs.models import User

SIBLING = "county_411402"  # 梁园区, beside the record's county
OWN_COUNTY = "county_411403"  # 睢阳区, where each case's record lives
CITY = "city_411400"  # 商丘
WORKER = "worker_411402"
NO_GRANT = "scope_case_no_grant"
MISSING_PK = 987654321
NOT_FOUND_TEXT = "记录不存在或无权访问"


def _items(body) -> list:
    return body["items"] if isinstance(body, dict) else body


class ScopeCases:
    """Mixin: subclass per scoped model, set `model` and `make`, name its reads."""

    pytestmark: ClassVar = [pytest.mark.django_db]
    registry: ClassVar[dict[type, type]] = {}

    model: ClassVar[type[models.Model]]
    readers: ClassVar[tuple[str, ...]] = (OWN_COUNTY, CITY)
    outsiders: ClassVar[tuple[str, ...]] = (SIBLING,)
    # URL templates, formatted with the record as `obj` (None: the model has no such read).
    page_list: ClassVar[str | None] = None
    page_detail: ClassVar[str | None] = None
    page_export: ClassVar[str | None] = None  # the list's .xlsx export
    api_list: ClassVar[str | None] = None
    api_detail: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "model" in cls.__dict__:
            ScopeCases.registry[cls.model] = cls

    # ------------------------------------------------------------ what a subclass gives

    def make(self, user_named) -> models.Model:
        raise NotImplementedError

    def select(self, user, obj) -> models.QuerySet:
        """The selector the app lists these records with (restrict by default)."""
        return self.model.objects.restrict(user, "view")

    def own_record(self, worker, user_named) -> models.Model | None:
        """A record the worker owns, which they must see; None when they own none."""
        return None

    def api_key(self, obj):
        return obj.pk

    def marker(self, obj) -> str:
        """Text that shows the record on a page."""
        return str(obj)

    def api_item_key(self, item):
        return item["id"]

    def missing(self, obj):
        """A stand-in with the keys of a record that does not exist (for the same-404)."""
        return _Missing(obj)

    # ------------------------------------------------------------ checks

    def _url(self, template: str, obj) -> str:
        return template.format(obj=obj)

    def selected(self, user, obj) -> set:
        return set(self.select(user, obj).values_list("pk", flat=True))

    def assert_sees(self, username, obj, *, user_named, client_for, api_for, exports=True):
        user = user_named(username)
        assert obj.pk in self.selected(user, obj), f"{username} 的查询应包含该记录"
        if self.page_list:
            client = client_for(username)
            response = client.get(self._url(self.page_list, obj))
            if response.status_code == 302:  # a worker's list is their own archive
                response = client.get(response["Location"])
                assert response.status_code == 200, (username, response.status_code)
                assert self.marker(obj) in response.content.decode()
            else:
                assert response.status_code == 200, (username, response.status_code)
                assert obj.pk in _page_pks(response), f"{username} 的列表页应显示该记录"
        if self.page_detail:
            response = client_for(username).get(self._url(self.page_detail, obj))
            assert response.status_code == 200, (username, response.status_code)
        if self.page_export and exports and user.has_permission(_permission(self.model,
                                                                             "export")):
            response = client_for(username).get(self._url(self.page_export, obj))
            assert response.status_code == 200, (username, response.status_code)
            assert self.marker(obj) in _xlsx_text(response), f"{username} 的导出应包含该记录"
        if self.api_list or self.api_detail:
            api = api_for(username)
            if self.api_list:
                response = api.get(self._url(self.api_list, obj))
                assert response.status_code == 200, (username, response.status_code)
                keys = {self.api_item_key(i) for i in _items(response.json())}
                assert self.api_key(obj) in keys, f"{username} 的接口列表应包含该记录"
            if self.api_detail:
                response = api.get(self._url(self.api_detail, obj))
                assert response.status_code == 200, (username, response.status_code)

    def assert_hidden(self, username, obj, *, user_named, client_for, api_for,
                      granted: bool):
        """Not listed, not opened. `granted`: the user holds the permission, so opening the
        record must be the very 404 of a record that does not exist."""
        user = user_named(username)
        assert obj.pk not in self.selected(user, obj), f"{username} 不应查到该记录"
        if self.page_list:
            response = client_for(username).get(self._url(self.page_list, obj))
            # A worker's list sends them to their own archive (a redirect elsewhere).
            assert response.status_code in ((200, 302) if granted else (200, 302, 403, 404))
            if response.status_code == 302 and self.page_detail:
                assert response["Location"] != self._url(self.page_detail, obj)
            if response.status_code == 200:
                assert obj.pk not in _page_pks(response), f"{username} 的列表页不应显示"
        if self.page_detail:
            client = client_for(username)
            refused = client.get(self._url(self.page_detail, obj))
            assert refused.status_code in ((404,) if granted else (403, 404))
            if granted:
                missing = client.get(self._url(self.page_detail, self.missing(obj)))
                assert missing.status_code == 404
                assert NOT_FOUND_TEXT in refused.content.decode()
        if self.page_export:
            response = client_for(username).get(self._url(self.page_export, obj))
            assert response.status_code in (200, 302, 403)
            if response.status_code == 200:
                assert self.marker(obj) not in _xlsx_text(response), f"{username} 的导出不应包含"
        if self.api_list or self.api_detail:
            api = api_for(username)
            if self.api_list:
                response = api.get(self._url(self.api_list, obj))
                assert response.status_code in (200, 404) if granted else (200, 403, 404)
                if response.status_code == 404 and granted:
                    # A list under a record out of scope (a person's history): the 404 of
                    # a record that does not exist.
                    missing = api.get(self._url(self.api_list, self.missing(obj)))
                    assert response.json() == missing.json()
                if response.status_code == 200:
                    keys = {self.api_item_key(i) for i in _items(response.json())}
                    assert self.api_key(obj) not in keys, f"{username} 的接口列表不应包含"
            if self.api_detail:
                refused = api.get(self._url(self.api_detail, obj))
                assert refused.status_code in ((404,) if granted else (403, 404))
                if granted:
                    missing = api.get(self._url(self.api_detail, self.missing(obj)))
                    assert refused.status_code == missing.status_code
                    assert refused.json() == missing.json()

    @pytest.fixture
    def no_grant_user(self, db):
        """A signed-in account of 睢阳区 whose roles grant nothing."""
        from jineng.orgs.models import Region

        return User.objects.create(username=NO_GRANT, full_name="无授权账号",
                                   region=Region.objects.get(code="411403"),
                                   must_change_password=False)

    def _fixtures(self, user_named, client_for, api_for) -> dict:
        return {"user_named": user_named, "client_for": client_for, "api_for": api_for}

    # ------------------------------------------------------------ the cases

    def test_a_sibling_county_cannot_see_it(self, user_named, client_for, api_for):
        obj = self.make(user_named)
        for username in self.outsiders:
            self.assert_hidden(username, obj, granted=True,
                               **self._fixtures(user_named, client_for, api_for))

    def test_its_own_county_and_the_city_see_it(self, user_named, client_for, api_for):
        obj = self.make(user_named)
        for username in self.readers:
            self.assert_sees(username, obj, **self._fixtures(user_named, client_for, api_for))

    def test_a_worker_sees_only_their_own(self, user_named, client_for, api_for):
        obj = self.make(user_named)
        worker = user_named(WORKER)
        granted = worker.has_permission(_permission(self.model, "view"))
        self.assert_hidden(WORKER, obj, granted=granted,
                           **self._fixtures(user_named, client_for, api_for))
        for row in self.select(worker, obj):
            assert _owned_by(row, worker), f"劳动者查到了不属于本人的记录：{row}"
        own = self.own_record(worker, user_named)
        if own is not None:
            self.assert_sees(WORKER, own, exports=False,  # a worker exports nothing
                             **self._fixtures(user_named, client_for, api_for))

    def test_a_user_without_a_grant_sees_nothing(self, user_named, client_for, api_for,
                                                 no_grant_user):
        obj = self.make(user_named)
        assert not self.select(no_grant_user, obj).exists()
        self.assert_hidden(NO_GRANT, obj, granted=False,
                           **self._fixtures(user_named, client_for, api_for))


class _Missing:
    """Looks like a record for URL templates, with keys no record has."""

    def __init__(self, obj):
        self._obj = obj

    def __getattr__(self, name):
        if name in ("pk", "id") or name.endswith("_id"):
            return MISSING_PK
        if name == "code":
            return "999999999"
        if name == "person":
            return _Missing(None)
        return getattr(self._obj, name)


def _xlsx_text(response) -> str:
    from io import BytesIO

    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_filelike(BytesIO(response.content)).get_sheet_by_index(0)
    return "\n".join("\t".join(str(v) for v in row) for row in sheet.to_python())


def _page_pks(response) -> set:
    return {o.pk for o in response.context["page"].object_list}


def _permission(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def _owned_by(row, user) -> bool:
    """Whether one of the model's declared owner fields leads to `user`."""
    for field in row.scope.owners:
        target = row
        for part in field.split("__") if field else ():
            target = getattr(target, part, None)
        if target is not None and target.pk == user.pk:
            return True
    return False
