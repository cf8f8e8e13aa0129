"""The scope case matrix (tests/scope_cases.py) for the organisations' models: each record
lives in 睢阳区 (411403)."""

from jineng.core.codes import make_credit_code
from jineng.orgs import selectors
from jineng.orgs.models import (
    ApiToken,
    Department,
    Institution,
    Region,
    RegionLevel,
    Role,
    SecurityPolicy,
    User,
)
from tests.scope_cases import CITY, OWN_COUNTY, SIBLING, ScopeCases


def _county():
    return Region.objects.get(code="411403")


class TestRegionScope(ScopeCases):
    model = Region
    page_list = "/orgs/regions/?q={obj.name}"
    page_export = "/orgs/regions/?q={obj.name}&export=xlsx"
    page_detail = "/orgs/regions/{obj.code}/"
    api_list = "/api/v1/regions?q={obj.name}&limit=1000"
    api_detail = "/api/v1/regions/{obj.code}"

    def make(self, user_named):
        county = _county()
        return Region.objects.create(code="411403901", name="范围测试街道", parent=county,
                                     level=RegionLevel.COUNTY, non_standard=True,
                                     path=f"{county.path}411403901/")

    def select(self, user, obj):
        return selectors.region_list(user=user, q=obj.name)

    def api_key(self, obj):
        return obj.code

    def api_item_key(self, item):
        return item["code"]


class TestDepartmentScope(ScopeCases):
    model = Department
    page_list = "/orgs/departments/?q={obj.name}"
    page_export = "/orgs/departments/?q={obj.name}&export=xlsx"
    page_detail = "/orgs/departments/{obj.pk}/"
    api_list = "/api/v1/departments?q={obj.name}&limit=1000"
    api_detail = "/api/v1/departments/{obj.pk}"

    def make(self, user_named):
        return Department.objects.create(code="SCOPE01", name="范围测试单位", region=_county())

    def select(self, user, obj):
        return selectors.department_list(user=user, q=obj.name)


class TestInstitutionScope(ScopeCases):
    model = Institution
    page_list = "/orgs/institutions/?q={obj.name}"
    page_export = "/orgs/institutions/?q={obj.name}&export=xlsx"
    page_detail = "/orgs/institutions/{obj.pk}/"
    api_list = "/api/v1/institutions?q={obj.name}&limit=1000"
    api_detail = "/api/v1/institutions/{obj.pk}"

    def make(self, user_named):
        return Institution.objects.create(
            name="范围测试培训学校", kind="training", region=_county(),
            credit_code=make_credit_code("52411403MJ0000001"))

    def select(self, user, obj):
        return selectors.institution_list(user=user, q=obj.name)


class TestUserScope(ScopeCases):
    model = User
    page_list = "/orgs/users/?q={obj.username}"
    page_export = "/orgs/users/?q={obj.username}&export=xlsx"
    page_detail = "/orgs/users/{obj.pk}/"

    def make(self, user_named):
        return User.objects.create(username="scope_case_user", full_name="范围测试用户",
                                   region=_county())

    def select(self, user, obj):
        return selectors.user_list(user=user, q=obj.username)


class TestApiTokenScope(ScopeCases):
    """Tokens are the security and system administrators' to see; officers see none, not
    even their own county's."""

    model = ApiToken
    readers = ("sysadmin", "secadmin")
    outsiders = ()
    page_list = None

    def make(self, user_named):
        from jineng.orgs.services import token_create

        token, _ = token_create(actor=user_named("sysadmin"), user=user_named(OWN_COUNTY),
                                name="范围测试令牌")
        return token

    def select(self, user, obj):
        return selectors.token_list(user=user).filter(name=obj.name)

    def test_officers_see_no_token(self, user_named):
        obj = self.make(user_named)
        for username in (SIBLING, OWN_COUNTY, CITY):
            assert not self.select(user_named(username), obj).exists()


class TestRoleScope(ScopeCases):
    """Roles belong to no region: the system administrator reads all of them."""

    model = Role
    readers = ("sysadmin",)
    outsiders = ()
    page_list = "/orgs/roles/?q={obj.code}"
    page_detail = "/orgs/roles/{obj.pk}/"

    def make(self, user_named):
        return Role.objects.create(code="scope_case_role", name="范围测试角色",
                                   permissions=["orgs.view_region"])

    def select(self, user, obj):
        return selectors.role_list(user=user, q=obj.code)

    def test_officers_read_no_role(self, user_named, client_for):
        obj = self.make(user_named)
        for username in (SIBLING, OWN_COUNTY, CITY):
            assert not self.select(user_named(username), obj).exists()
            assert client_for(username).get(f"/orgs/roles/{obj.pk}/").status_code == 404


class TestSecurityPolicyScope(ScopeCases):
    """The one row of security settings: the security administrator's."""

    model = SecurityPolicy
    readers = ("secadmin",)
    outsiders = ()

    def make(self, user_named):
        return SecurityPolicy.objects.get_or_create(pk=1)[0]

    def test_only_the_security_administrator_opens_the_policy(self, user_named, client_for):
        assert client_for("secadmin").get("/orgs/security/").status_code == 200
        for username in (SIBLING, CITY, "sysadmin", "auditadmin"):
            assert client_for(username).get("/orgs/security/").status_code in (403, 404)
