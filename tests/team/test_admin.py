import datetime

import pytest
import tablib
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import WorkerHeartbeat
from team import services
from team.admin import DepartmentResource, PersonResource
from team.models import Department, Person, Role, RoleAssignment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(username="root@example.gov", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(superuser) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def heartbeat(db):
    return WorkerHeartbeat.objects.create(worker="celery@worker-1", last_seen=timezone.now(), beats=3)


def chief(users) -> Person:
    return Person.objects.get(user=users["police_lead"])


# --- every page opens ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["team_department", "team_portfolio", "team_person", "team_roleassignment", "core_workerheartbeat"]
)
def test_superuser_sees_every_changelist(admin_client, users, heartbeat, model):
    response = admin_client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("query", [{"q": "police"}, {"active__exact": "1"}, {"portfolio__id__exact": "1"}])
def test_department_changelist_searches_and_filters(admin_client, users, query):
    assert admin_client.get(reverse("admin:team_department_changelist"), query).status_code == 200


@pytest.mark.parametrize("query", [{"q": "chief"}, {"role": Role.DEPARTMENT_LEAD}, {"user__isempty": "0"}])
def test_person_changelist_searches_and_filters(admin_client, users, query):
    response = admin_client.get(reverse("admin:team_person_changelist"), query)
    assert response.status_code == 200
    if query.get("role"):
        assert list(response.context["cl"].queryset) == [chief(users)]


@pytest.mark.parametrize("status", ["current", "ended", "future"])
def test_role_changelist_filters_by_status(admin_client, users, status):
    assert admin_client.get(reverse("admin:team_roleassignment_changelist"), {"status": status}).status_code == 200


def test_superuser_sees_every_change_form(admin_client, users, city, heartbeat):
    pages = [
        reverse("admin:team_department_change", args=[city["police"].pk]),
        reverse("admin:team_portfolio_change", args=[city["public_safety"].pk]),
        reverse("admin:team_person_change", args=[chief(users).pk]),
        reverse("admin:team_roleassignment_change", args=[chief(users).assignments.get().pk]),
        reverse("admin:core_workerheartbeat_change", args=[heartbeat.pk]),
        reverse("admin:team_department_add"),
        reverse("admin:team_portfolio_add"),
        reverse("admin:team_person_add"),
    ]
    for page in pages:
        assert admin_client.get(page).status_code == 200, page


def test_roles_are_added_on_the_person_not_on_their_own(admin_client, users):
    assert admin_client.get(reverse("admin:team_roleassignment_add")).status_code == 403


def test_heartbeats_are_read_only(admin_client, heartbeat):
    assert admin_client.get(reverse("admin:core_workerheartbeat_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:core_workerheartbeat_change", args=[heartbeat.pk]), {"worker": "x", "beats": 99}
    )
    assert response.status_code == 403
    heartbeat.refresh_from_db()
    assert (heartbeat.worker, heartbeat.beats) == ("celery@worker-1", 3)


@pytest.mark.parametrize("model", ["team_department", "team_portfolio", "team_person", "team_roleassignment"])
def test_history_view_lists_changes(admin_client, users, city, model):
    objects = {
        "team_department": city["police"],
        "team_portfolio": city["public_safety"],
        "team_person": chief(users),
        "team_roleassignment": chief(users).assignments.get(),
    }
    obj = objects[model]
    response = admin_client.get(reverse(f"admin:{model}_history", args=[obj.pk]))
    assert response.status_code == 200
    assert "simple_history/object_history.html" in [t.name for t in response.templates]
    assert list(response.context["page_obj"].object_list)


# --- only staff ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["anonymous", "police_lead", "stat_lead"])
def test_non_staff_are_sent_to_the_admin_login(as_persona, persona):
    response = as_persona(persona).get(reverse("admin:team_person_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_who_may_only_view_cannot_import(db, city):
    viewer = UserFactory(username="viewer@example.gov", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_department"))
    client = Client()
    client.force_login(viewer)
    assert client.get(reverse("admin:team_department_changelist")).status_code == 200
    assert client.get(reverse("admin:team_department_import")).status_code == 403
    assert client.get(reverse("admin:team_department_export")).status_code == 200


# --- the end-roles action goes through the service -------------------------------------------------------------


def end_roles(client, assignments):
    return client.post(
        reverse("admin:team_roleassignment_changelist"),
        {"action": "end_roles_today", "_selected_action": [a.pk for a in assignments]},
        follow=True,
    )


def test_end_roles_action_ends_them_through_the_service(admin_client, superuser, users, monkeypatch):
    calls = []
    real_role_end = services.role_end

    def spy(**kwargs):
        calls.append(kwargs)
        return real_role_end(**kwargs)

    monkeypatch.setattr(services, "role_end", spy)
    targets = list(RoleAssignment.objects.filter(person__user__in=[users["police_lead"], users["police_contact"]]))
    untouched = RoleAssignment.objects.exclude(pk__in=[a.pk for a in targets]).values_list("pk", "ends_on")
    untouched_before = list(untouched)

    response = end_roles(admin_client, targets)

    assert response.status_code == 200
    assert sorted(c["assignment"].pk for c in calls) == sorted(a.pk for a in targets)
    assert all(c["by"] == superuser for c in calls)
    for assignment in targets:
        assignment.refresh_from_db()
        assert assignment.ends_on == timezone.localdate()
        assert assignment.ended_by == superuser
    assert list(untouched) == untouched_before
    assert "Ended 2 roles today." in response.content.decode()


def test_end_roles_action_reports_roles_already_ended(admin_client, users):
    assignment = chief(users).assignments.get()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    RoleAssignment.objects.filter(pk=assignment.pk).update(starts_on=yesterday - datetime.timedelta(days=1))
    services.role_end(by=None, assignment=assignment, ends_on=yesterday)

    response = end_roles(admin_client, [assignment])

    assert "already ended" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.ends_on == yesterday


# --- editing a person goes through the services ----------------------------------------------------------------


def person_form(person: Person, **overrides) -> dict:
    data = {
        "full_name": person.full_name,
        "title": person.title,
        "email": person.email,
        "phone": person.phone,
        "department": person.department_id or "",
        "user": person.user_id or "",
        "active": "on" if person.active else "",
        "assignments-TOTAL_FORMS": 0,
        "assignments-INITIAL_FORMS": 0,
        "assignments-MIN_NUM_FORMS": 0,
        "assignments-MAX_NUM_FORMS": 1000,
    }
    existing = list(person.assignments.order_by("-starts_on", "-pk")) if person.pk else []  # unsaved: the add form
    for i, a in enumerate(existing):
        data |= {
            f"assignments-{i}-id": a.pk,
            f"assignments-{i}-person": person.pk,
            f"assignments-{i}-role": a.role,
            f"assignments-{i}-department": a.department_id or "",
            f"assignments-{i}-portfolio": a.portfolio_id or "",
            f"assignments-{i}-speciality": a.speciality,
            f"assignments-{i}-starts_on": a.starts_on.isoformat(),
            f"assignments-{i}-ends_on": a.ends_on.isoformat() if a.ends_on else "",
            f"assignments-{i}-note": a.note,
        }
    data["assignments-TOTAL_FORMS"] = data["assignments-INITIAL_FORMS"] = len(existing)
    data |= overrides
    return data


def add_role_form(data: dict, **fields) -> dict:
    i = data["assignments-TOTAL_FORMS"]
    row = {"person": "", "department": "", "portfolio": "", "speciality": "", "note": "", "ends_on": ""}
    row |= {"starts_on": timezone.localdate().isoformat()} | fields
    data |= {f"assignments-{i}-{name}": value for name, value in row.items()}
    data["assignments-TOTAL_FORMS"] = i + 1
    return data


def test_changing_a_persons_email_changes_their_login_email(admin_client, superuser, users):
    person = chief(users)
    response = admin_client.post(
        reverse("admin:team_person_change", args=[person.pk]), person_form(person, email="New.Chief@Example.gov")
    )
    assert response.status_code == 302
    person.refresh_from_db()
    users["police_lead"].refresh_from_db()
    assert person.email == "new.chief@example.gov"
    assert users["police_lead"].email == "new.chief@example.gov"
    assert person.history.latest().history_user == superuser


def test_email_that_differs_only_in_case_is_refused(admin_client, users):
    person = chief(users)
    response = admin_client.post(
        reverse("admin:team_person_change", args=[person.pk]), person_form(person, email="PDATA@example.gov")
    )
    assert response.status_code == 200
    assert "already has this email address" in response.content.decode()
    person.refresh_from_db()
    assert person.email == "chief@example.gov"


def test_a_role_added_on_the_person_page_is_assigned_through_the_service(admin_client, superuser, users, city):
    person = chief(users)
    data = add_role_form(person_form(person), role=Role.BUDGET_ANALYST, portfolio=city["community"].pk)
    response = admin_client.post(reverse("admin:team_person_change", args=[person.pk]), data)
    assert response.status_code == 302
    added = person.assignments.get(role=Role.BUDGET_ANALYST)
    assert added.portfolio == city["community"]
    assert added.created_by == superuser


def test_a_duplicate_role_is_an_error_not_a_second_row(admin_client, users, city):
    person = chief(users)
    data = add_role_form(person_form(person), role=Role.DEPARTMENT_LEAD, department=city["police"].pk)
    response = admin_client.post(reverse("admin:team_person_change", args=[person.pk]), data)
    assert response.status_code == 200
    assert "Pat Chief is already department lead of Police." in response.content.decode()
    assert person.assignments.count() == 1


def test_setting_an_end_date_on_the_person_page_ends_the_role(admin_client, superuser, users):
    person = chief(users)
    today = timezone.localdate().isoformat()
    response = admin_client.post(
        reverse("admin:team_person_change", args=[person.pk]), person_form(person, **{"assignments-0-ends_on": today})
    )
    assert response.status_code == 302
    assignment = person.assignments.get()
    assert assignment.ends_on == timezone.localdate()
    assert assignment.ended_by == superuser


# --- CSV import is keyed, so importing twice changes nothing ---------------------------------------------------

DEPARTMENTS_CSV = """slug,name,code,parent,portfolio,description,active
water,Water Department,WTR,,public-safety,Drinking water,1
water-billing,Water Billing,WTRB,water,,Bills,1
police,Police,PD,,public-safety,,1
"""


def test_importing_the_same_department_csv_twice_creates_no_duplicates(city):
    dataset = tablib.Dataset().load(DEPARTMENTS_CSV, format="csv")

    first = DepartmentResource().import_data(dataset, dry_run=False, raise_errors=True)
    count_after_first = Department.objects.count()
    second = DepartmentResource().import_data(dataset, dry_run=False, raise_errors=True)

    assert not first.has_errors() and not first.has_validation_errors()
    assert not second.has_errors() and not second.has_validation_errors()
    assert count_after_first == 5  # police, fire, parks + water and its billing division
    assert Department.objects.count() == count_after_first
    assert first.totals["new"] == 2
    assert second.totals["new"] == 0
    billing = Department.objects.get(slug="water-billing")
    assert billing.parent.slug == "water"
    assert Department.objects.get(slug="water").portfolio == city["public_safety"]


def test_importing_people_matches_on_email_regardless_of_case(city):
    csv = "email,full_name,title,phone,department,active\nAlex@Example.gov,Alex Smith,Analyst,555-0100,police,1\n"
    PersonResource().import_data(tablib.Dataset().load(csv, format="csv"), dry_run=False, raise_errors=True)
    again = csv.replace("Alex@Example.gov", "ALEX@example.GOV").replace("Analyst", "Senior analyst")
    PersonResource().import_data(tablib.Dataset().load(again, format="csv"), dry_run=False, raise_errors=True)
    person = Person.objects.get()
    assert person.email == "alex@example.gov"
    assert person.title == "Senior analyst"
    assert person.department == city["police"]


def test_importing_a_person_without_email_is_a_row_error(city):
    csv = "email,full_name,title,phone,department,active\n,No Email,,,police,1\n"
    result = PersonResource().import_data(tablib.Dataset().load(csv, format="csv"), dry_run=False)
    assert result.has_validation_errors() or result.has_errors()
    assert not Person.objects.exists()


def test_department_import_through_the_admin_twice_creates_no_duplicates(admin_client, city):
    def import_via_admin():
        upload = admin_client.post(
            reverse("admin:team_department_import"),
            {
                "resource": 0,
                "format": 0,
                "import_file": _csv_upload(DEPARTMENTS_CSV),
            },
        )
        assert upload.status_code == 200, upload.content
        confirm = upload.context["confirm_form"]
        assert confirm is not None, upload.context.get("result") and upload.context["result"].invalid_rows
        response = admin_client.post(
            reverse("admin:team_department_process_import"), dict(confirm.initial), follow=True
        )
        assert response.status_code == 200

    import_via_admin()
    count = Department.objects.count()
    import_via_admin()
    assert count == 5
    assert Department.objects.count() == count
    history = Department.history.filter(slug="water")
    assert history.count() == 1  # the second, unchanged import was skipped rather than saved again


def _csv_upload(text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("departments.csv", text.encode(), content_type="text/csv")
