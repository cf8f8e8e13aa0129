"""A test-only kind of review: an institution (orgs) as the subject, so the chain is tested
without any app's model. Step 1 is decided in the county, step 2 in the city."""

from jineng.core.models import ReviewChain, ReviewLevel
from jineng.core.review import register_review_kind, review_chain_install_default
from jineng.core.scope import ScopeKind
from jineng.orgs.models import Institution, Role

KIND = "test.institution_filing"
FIRST = "test.review_first"
SECOND = "test.review_second"
SUBJECT = "商丘市梁园区金蓝领职业培训学校"  # in 梁园区 (411402)


class Hooks:
    def __init__(self):
        self.calls: list[tuple[str, int, str, str]] = []

    def hook(self, name):
        def record(subject, *, actor, reason):
            self.calls.append((name, subject.pk, actor.username, reason))
        return record


HOOKS = Hooks()

register_review_kind(
    KIND, "测试机构备案", region_of=lambda i: i.region,
    on_approved=HOOKS.hook("approved"), on_returned=HOOKS.hook("returned"),
    on_rejected=HOOKS.hook("rejected"), title_of=lambda i: f"{i.name}的备案",
    url_of=lambda i: f"/orgs/institutions/{i.pk}/",
    permissions={FIRST: "测试初审", SECOND: "测试复审"},
    default_steps=[(FIRST, ReviewLevel.COUNTY), (SECOND, ReviewLevel.CITY)],
)


def grant(user, *permissions, code=None):
    """Give a demo account a role with these permissions over its own region and below."""
    role, _ = Role.objects.get_or_create(
        code=code or "test_" + "_".join(p.split(".")[-1] for p in permissions),
        defaults={"name": "测试审核", "permissions": list(permissions),
                  "scope_kind": ScopeKind.OWN_REGION_AND_BELOW})
    user.roles.add(role)
    if hasattr(user, "_active_roles"):
        del user._active_roles
    return user


def setup_kind():
    HOOKS.calls.clear()
    ReviewChain.objects.filter(kind=KIND).delete()
    review_chain_install_default(kind=KIND)


def subject():
    return Institution.objects.get(name=SUBJECT)
