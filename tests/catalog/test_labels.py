"""Where a person reads, the catalogue, registry and user pages speak Chinese: policy kinds,
skill levels, target groups, enterprise sizes and roles by name, amounts in yuan, no codes and
no raw JSON."""

import html
import re

import pytest

from jineng.catalog import services
from jineng.catalog.models import PolicyVersion
from jineng.core.errors import ServiceError
from jineng.orgs.models import Role, TargetGroup, User
from jineng.people.models import Person

pytestmark = pytest.mark.django_db


def visible(response) -> str:
    """The text of the page's main content, as a reader sees it."""
    body = response.content.decode()
    main = body[body.index("<main"):body.index("</main>")]
    main = re.sub(r"(?s)<(script|style)[^>]*>.*?</\1>", " ", main)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def test_policy_pages_show_the_kind_by_name_and_no_raw_json(client_for):
    client = client_for("sysadmin")  # reads every region's policies
    for version in PolicyVersion.objects.all():
        text = visible(client.get(f"/catalog/policies/{version.pk}/"))
        assert version.get_kind_display() in text
        assert version.kind not in text, version
        assert "_fen" not in text and "{" not in text, version


def test_evaluation_subsidies_read_as_levels_with_yuan_in_rank_order(client_for):
    version = PolicyVersion.objects.get(kind="evaluation_subsidy", region__code="411400")
    response = client_for("city_411400").get(f"/catalog/policies/{version.pk}/")
    assert response.context["rows"][:3] == [("专项职业能力", "100.00 元"),
                                           ("五级/初级工", "200.00 元"),
                                           ("四级/中级工", "240.00 元")]
    text = visible(response)
    assert "五级/初级工 200.00 元" in text and "20000" not in text


def test_enterprise_sizes_and_catalogue_amounts_read_in_chinese(client_for):
    client = client_for("city_411400")
    hiring = PolicyVersion.objects.get(kind="hiring_subsidy", region__code="411400")
    text = visible(client.get(f"/catalog/policies/{hiring.pk}/"))
    assert "企业规模 中型企业、小型企业、微型企业" in text and "medium" not in text
    catalogue = PolicyVersion.objects.get(kind="training_subsidy", region__code="411400")
    text = visible(client.get(f"/catalog/policies/{catalogue.pk}/"))
    assert "养老护理员 五级/初级工 1,200.00 元 80 是" in text
    assert "120000" not in text


def test_a_persons_pages_show_labels_not_codes(client_for):
    person = Person.objects.get(user__username="worker_411402")
    client = client_for("county_411402")
    for url in (f"/people/{person.pk}/", "/people/"):
        text = visible(client.get(url))
        assert "农村转移劳动力、灵活就业人员" in text
        assert not set(re.findall(r"[a-z_]{4,}", text)) & (
            set(TargetGroup.objects.values_list("code", flat=True)) | {"flexible", "vocational"})
    text = visible(client.get(f"/people/{person.pk}/"))
    assert "中专/中职/技工学校" in text and "灵活就业" in text


def test_user_pages_show_role_names_not_codes(client_for):
    client = client_for("sysadmin")
    county = User.objects.get(username="county_411402")
    codes = set(Role.objects.values_list("code", flat=True)) - {"sysadmin", "secadmin",
                                                                 "auditadmin"}  # usernames too
    for url in ("/orgs/users/", f"/orgs/users/{county.pk}/"):
        text = visible(client.get(url))
        assert "县级经办人员" in text
        assert not set(re.findall(r"[a-z_]+", text)) & codes, url


def test_an_unknown_level_is_answered_with_the_levels_by_name():
    with pytest.raises(ServiceError) as exc:
        services.policy_data_validate("evaluation_subsidy", {"amounts_fen": {"6": 100}})
    assert "等级「6」不存在" in exc.value.message
    assert "五级/初级工（5）、四级/中级工（4）" in exc.value.message
