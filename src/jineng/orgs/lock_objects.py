"""Row locks of orgs (see core/lock_objects.py)."""

from jineng.core.lock_objects import locked
from jineng.orgs.models import LoginThrottle, Region, SecurityPolicy, TargetGroup, User


def region_lock(region: Region) -> None:
    """Writes that must see one region's rows unchanged (e.g. publications of policies for
    it) take turns on the region. SQLite serialises writes anyway."""
    list(locked(Region.objects.filter(pk=region.pk)).values_list("pk", flat=True))


def user_lock(user: User) -> User:
    return locked(User.objects.filter(pk=user.pk)).get()


def login_throttle_lock(key: str, **defaults) -> LoginThrottle:
    row, _ = locked(LoginThrottle.objects.all()).get_or_create(key=key, defaults=defaults)
    return row


def security_policy_lock() -> SecurityPolicy:
    policy, _ = locked(SecurityPolicy.objects.all()).get_or_create(pk=1)
    return policy


def target_group_lock(group: TargetGroup) -> TargetGroup:
    return locked(TargetGroup.objects.filter(pk=group.pk)).get()
