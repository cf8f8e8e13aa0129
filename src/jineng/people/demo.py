"""Demo people (`jineng loaddemo`; idempotent): a few dozen in 梁园区, 睢阳区 and 红河州, each
registered through the services by an officer or an institution, and worker_411402 linked to
张三 of 梁园区."""

import datetime as dt

from django.db import transaction

from jineng.core.identity import make_resident_number
from jineng.orgs.models import User
from jineng.people import services
from jineng.people.models import Education, EmploymentStatus, Person

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳",
         "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "玉兰"]
GROUPS = ["rural_migrant", "graduate", "poverty_alleviated", "unemployed", "veteran",
          "flexible_employed", "enterprise_employee", "new_employment_form", "disabled",
          "relocated", "employment_difficulty", "student"]
EDUCATION = [Education.JUNIOR, Education.SENIOR, Education.VOCATIONAL,
             Education.JUNIOR_COLLEGE, Education.BACHELOR, Education.PRIMARY]
EMPLOYMENT = [EmploymentStatus.EMPLOYED, EmploymentStatus.UNEMPLOYED, EmploymentStatus.FLEXIBLE,
              EmploymentStatus.STUDENT, EmploymentStatus.SELF_EMPLOYED]

# (actor, household region, residence region, how many)
PLAN = [
    ("county_411402", "411402", "411402", 10),
    ("county_411403", "411403", "411403", 10),
    ("city_411400", "411403", "411402", 2),   # 睢阳 household living in 梁园
    ("inst_411402", "411403", "411403", 2),   # registered by a 梁园 training school
    ("city_532500", "532501", "532501", 4),
    ("city_532500", "532503", "532503", 4),
    ("city_532500", "532524", "532502", 3),
]
WORKER = ("worker_411402", "张三", dt.date(1990, 3, 7), 11)  # username, name, birth, sequence


def _people():
    """Deterministic (actor, fields) pairs."""
    n = 0
    for actor, household, residence, count in PLAN:
        for _ in range(count):
            n += 1
            male = n % 2 == 1
            birth = dt.date(1968 + (n * 7) % 37, 1 + (n * 5) % 12, 1 + (n * 11) % 28)
            sequence = 100 + n * 2 + (1 if male else 0)
            name = SURNAMES[n % len(SURNAMES)] + GIVEN[(n * 3) % len(GIVEN)]
            yield actor, {
                "id_number": make_resident_number(household, birth, sequence),
                "name": name,
                "phone": f"13{(n % 7) + 3}{n:04d}{(n * 37) % 10000:04d}",
                "household_region": household,
                "residence_region": residence,
                "education": EDUCATION[n % len(EDUCATION)],
                "employment_status": EMPLOYMENT[n % len(EMPLOYMENT)],
                "target_groups": [GROUPS[n % len(GROUPS)]] + (
                    [GROUPS[(n + 5) % len(GROUPS)]] if n % 3 == 0 else []
                ),
            }
    # Other documents: a Hong Kong resident and a foreign permanent resident living in 梁园区.
    yield "county_411402", {
        "doc_type": "hmt_permit",
        "id_number": make_resident_number("810000", dt.date(1992, 6, 18), 21),
        "name": "陈嘉欣", "residence_region": "411402", "phone": "13700112233",
        "employment_status": EmploymentStatus.EMPLOYED, "target_groups": ["enterprise_employee"],
    }
    yield "county_411402", {
        "doc_type": "foreign_pr",
        "id_number": make_resident_number("941840", dt.date(1985, 11, 2), 13),
        "name": "JOHN SMITH", "residence_region": "411402",
        "employment_status": EmploymentStatus.EMPLOYED,
    }


@transaction.atomic
def load(*, actor=None, stdout=None) -> int:
    users = {u.username: u for u in User.objects.filter(
        username__in={a for a, *_ in PLAN} | {"county_411402", WORKER[0]})}
    created = 0
    for username, fields in _people():
        ident = services.identity_check(fields["id_number"], fields.get("doc_type"))
        if Person.objects.filter(
            id_hash=services.identity_hash(ident.doc_type, ident.number)
        ).exists():
            continue
        services.person_create(actor=users[username], source="demo", **fields)
        created += 1

    username, name, birth, sequence = WORKER
    number = make_resident_number("411402", birth, sequence)
    worker = users.get(username)
    officer = users["county_411402"]
    person = Person.objects.filter(id_hash=services.identity_hash("resident", number)).first()
    if person is None:
        person = services.person_create(
            actor=officer, source="demo", id_number=number, name=name,
            phone="13812345678", household_region="411402", residence_region="411402",
            education=Education.VOCATIONAL, employment_status=EmploymentStatus.FLEXIBLE,
            target_groups=["rural_migrant", "flexible_employed"],
        )
        created += 1
    if worker is not None and person.user_id is None and not Person.objects.filter(
        user=worker
    ).exists():
        services.person_link_user(actor=officer, person=person, user=worker, source="demo")
    if stdout is not None:
        stdout.write(f"实名登记：新增演示劳动者 {created} 人")
    return created
