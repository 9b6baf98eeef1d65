"""Every page built so far passes axe-core's WCAG 2.1 A/AA rules, seen as the persona who would see it.

Each case opens the page as the persona, signed in by a session cookie (the login form has cases of its own),
checking its status and that it did not send the persona to sign in (so a 403 or a login redirect is never
mistaken for the page under test), optionally drives it into a state (form errors, a lockout) and runs axe over
the whole document.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.goals.axe_dashboards import CASES as GOALS_DASHBOARD_CASES
from tests.goals.axe_pages import CASES as GOALS_CASES
from tests.quality.axe_pages import CASES as QUALITY_CASES

from .axe import assert_accessible
from .conftest import sign_in

pytestmark = pytest.mark.browser

SIGNED_IN = (
    "principal",
    "stat_lead",
    "stat_analyst",
    "police_lead",
    "police_contact",
    "parks_contact",
    "budget_analyst",
    "data_expert",
)
ERRORS = ".usa-error-message, .usa-alert--error, [aria-invalid='true']"


def _submit(page, form_selector: str = "main form") -> int:
    form = page.locator(form_selector).first
    with page.expect_navigation() as navigation:
        form.locator('button[type="submit"], input[type="submit"]').first.click()
    return navigation.value.status


def wrong_password(page, personas) -> int:
    """The login form, re-shown with its error after a wrong password."""
    page.locator('input[name="username"]').fill(personas["police_contact"].username)
    page.locator('input[name="password"]').fill("not-the-password")
    status = _submit(page)
    expect(page.locator(ERRORS).first).to_be_visible()
    return status


def locked_out(page, personas) -> int:
    """django-axes' lockout page, after too many wrong passwords."""
    from django.conf import settings

    statuses = [
        sign_in(page, personas["police_contact"].username, "not-the-password").status
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    return statuses[-1]


def reset_requested(page, personas) -> int:
    """The password reset form, submitted: the "check your email" page."""
    page.locator('input[name="email"]').fill(personas["police_contact"].email)
    return _submit(page)


def empty_person(page, personas) -> int:
    """The add-person form submitted without a name: re-shown with its errors."""
    page.locator('input[name="email"]').fill("not-an-email")
    page.locator('input[name="full_name"]').fill("")
    # Let the server validate, not the browser: that is the state whose accessibility matters.
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    status = _submit(page)
    expect(page.locator(ERRORS).first).to_be_visible()
    return status


def wrong_old_password(page, personas) -> int:
    """The password change form, re-shown with its errors."""
    page.locator('input[name="old_password"]').fill("not-the-password")
    page.locator('input[name="new_password1"]').fill("a-long-new-passphrase-2026")
    page.locator('input[name="new_password2"]').fill("a-different-passphrase-2026")
    status = _submit(page)
    expect(page.locator(ERRORS).first).to_be_visible()
    return status


def role_without_department(page, personas) -> int:
    """The role form submitted for a department lead with no department: re-shown with its errors."""
    page.locator('select[name="role"]').select_option("department_lead")
    status = _submit(page)
    expect(page.locator(ERRORS).first).to_be_visible()
    return status


def duplicate_department(page, personas) -> int:
    """The add-department form submitted with another department's code and no name: re-shown with its errors."""
    page.locator('input[name="name"]').fill("")
    page.locator('input[name="code"]').fill("pd")
    status = _submit(page)
    expect(page.locator(ERRORS).first).to_be_visible()
    return status


def blank_portfolio(page, personas) -> int:
    """The add-portfolio form submitted with a department ticked but no name: re-shown with its errors."""
    # USWDS hides the input itself and draws the box on its label: click the label, as a user does.
    page.locator("label", has_text="Parks & Recreation (PRD): now in Community Services").click()
    expect(page.get_by_label("Parks & Recreation (PRD): now in Community Services")).to_be_checked()
    status = _submit(page)
    expect(page.locator(ERRORS).first).to_be_visible()
    return status


def bulk_status_change(page, personas) -> int:
    """The inventory after a bulk status change: the list again, with the message saying what changed."""
    page.locator("label", has_text="Select Dispatch calls").click()
    page.locator('#bulk-form select[name="status"]').select_option("documented")
    status = _submit(page, "#bulk-form")
    expect(page.locator(".usa-alert--success").first).to_be_visible()
    return status


def import_with_errors(page, personas) -> int:
    """The import preview of a file with bad rows: every row listed, the invalid ones with their reasons."""
    content = (
        "title,description,department,access_level,rights,accrual_periodicity\n"
        "Crashes,All crashes.,PD,public,,monthly\n"
        "Secret,Hidden.,PD,non-public,,monthly\n"
        "Nowhere,Lost.,ZZ,public,,every blue moon\n"
    )
    page.locator('input[name="file"]').set_input_files(
        {"name": "datasets.csv", "mimeType": "text/csv", "buffer": content.encode()}
    )
    status = _submit(page)
    expect(page.get_by_text("will be skipped")).to_be_visible()
    return status


def import_without_file(page, personas) -> int:
    """The import form submitted without a file: re-shown with its error."""
    status = _submit(page)
    expect(page.locator(ERRORS).first).to_be_visible()
    return status


def discovery_answered(page, personas) -> int:
    """A department's discovery page after its contact records an answer (shown with a candidate-dataset form),
    back at that question with the form under the next one."""
    page.locator('textarea[name="answer"]').fill("Crime maps and arrest counts.")
    status = _submit(page, "main form.usa-form--large")
    expect(page.locator("#question-1 .usa-alert--success")).to_be_visible()
    expect(page.locator("#question-2 #answer-form")).to_be_visible()
    return status


def person_url(persona: str, name: str = "team:person") -> Callable:
    return lambda personas, city: reverse(name, kwargs={"pk": personas[persona].person.pk})


def department_url(key: str) -> Callable:
    return lambda personas, city: city[key].get_absolute_url()


def edit_url(name: str, key: str) -> Callable:
    return lambda personas, city: reverse(name, kwargs={"slug": city[key].slug})


def swagger_rendered(page) -> int:
    """Swagger UI draws the operations with JavaScript: check them once they are there."""
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    # Open an operation every visitor may call (the public catalogue's list) and try it: its parameters and
    # responses are what developers read. (The first operation in the list may be one a visitor is refused.)
    block = page.locator(".swagger-ui .opblock-get").filter(
        has=page.locator('.opblock-summary-path[data-path="/api/datasets/"]')
    )
    block.locator(".opblock-summary-control").click()
    expect(block.locator(".opblock-body")).to_be_visible()
    block.get_by_role("button", name="Try it out").click()
    block.get_by_role("button", name="Execute").click()
    expect(block.locator(".live-responses-table tbody .response-col_status").first).to_contain_text("200")
    return 200


def harvest_without_source(page, personas) -> int:
    """The harvest form submitted with neither a file nor an address: re-shown with its error."""
    status = _submit(page)
    expect(page.locator(ERRORS).first).to_be_visible()
    return status


def harvest_previewed(page, personas) -> int:
    """A data.json uploaded: the harvest preview, with a publisher to map and an invalid record."""
    import json

    record = {
        "identifier": "x-1",
        "title": "Tree canopy",
        "description": "Trees.",
        "accessLevel": "public",
        "publisher": {"name": "Urban Forestry"},
        "contactPoint": {"fn": "Urban Forestry"},
    }
    catalog = {"conformsTo": "https://project-open-data.cio.gov/v1.1/schema", "dataset": [record, {"title": "Broken"}]}
    page.locator('input[name="file"]').set_input_files(
        {"name": "data.json", "mimeType": "application/json", "buffer": json.dumps(catalog).encode()}
    )
    status = _submit(page)
    expect(page.get_by_role("heading", name="Preview of the harvest")).to_be_visible()
    return status


def harvest_imported(page, personas) -> int:
    """The harvest previewed, then imported: what the import did."""
    harvest_previewed(page, personas)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Harvest complete")).to_be_visible()
    return navigation.value.status


def job_url(kind: str, route: str, *, state: str = "queued", persona: str = "stat_analyst", **route_kwargs) -> Callable:
    """A background job of ``kind`` in ``state`` (created here, never sent to a worker, so its page stays as it is:
    polling while queued or running), and the URL of its page."""

    def url(personas, city) -> str:
        import zlib

        from django.utils import timezone

        from core.models import Job

        extra = {}
        if "dataset" in route_kwargs:
            from tests.inventory.factories import DatasetFactory

            dataset = DatasetFactory(identifier=f"axe-job-{kind}-{state}", department=city["police"])
            extra = {"subject_id": dataset.pk}
            route_kwargs["pk"] = dataset.pk
        job = Job.objects.create(
            kind=kind,
            step="preview",
            state=state,
            actor=personas[persona],
            source="data.json",
            payload=zlib.compress(b"{}"),
            payload_bytes=2,
            message="This is not a DCAT-US catalogue." if state == "failed" else "Checking: record 500 of 2000.",
            started_at=timezone.now() if state != "queued" else None,
            **extra,
        )
        if state == "running":
            from core.jobs import Progress

            Progress(job.pk)(500, 2000, "Checking: record 500 of 2000.", force=True)
        kwargs = {key: value for key, value in route_kwargs.items() if key != "dataset"}
        return reverse(route, kwargs={**kwargs, ("job" if "dataset" in route_kwargs else "pk"): job.pk})

    return url


def dictionary_url(personas, city) -> str:
    from tests.inventory.factories import DatasetFactory

    dataset = DatasetFactory(identifier="axe-dictionary", department=city["police"])
    return reverse("inventory:dictionary_draft", kwargs={"pk": dataset.pk})


def dictionary_drafted(page, personas) -> int:
    """A sample CSV uploaded: the drafted fields, waiting for confirmation."""
    page.locator('input[name="file"]').set_input_files(
        {"name": "sample.csv", "mimeType": "text/csv", "buffer": b"case_id,opened,note\n1,2026-01-02,x\n"}
    )
    status = _submit(page)
    expect(page.get_by_role("table")).to_be_visible()
    return status


def dataset_page_url(name: str) -> Callable:
    """A Police dataset with distributions, a dictionary and a history of two versions (created here, so the live
    server sees it), and the URL of one of its pages."""

    def url(personas, city) -> str:
        from inventory.models import Dataset
        from inventory.services.datasets import dataset_save, dataset_update
        from team.models import Person

        dataset = Dataset.objects.filter(identifier="axe-calls").first() or dataset_save(
            by=personas["stat_analyst"],
            identifier="axe-calls",
            title="Calls for service",
            description="Every call for service, from the dispatch system.",
            department=city["police"],
            rights="Holds callers' names and addresses.",
            keywords=["calls", "dispatch"],
            themes=["Public Safety"],
            critical_to_decisions=True,
            distributions=[
                {"title": "CSV", "download_url": "https://data.example.gov/calls.csv", "media_type": "text/csv"}
            ],
            dictionary=[
                {"name": "call_id", "type": "integer", "required": True, "unique": True},
                {"name": "priority", "type": "integer", "minimum": "1", "maximum": "5", "allowed_values": ["1", "2"]},
            ],
        )
        if dataset.history.count() == 1:
            dataset_update(
                dataset=dataset,
                by=personas["police_contact"],
                contact=Person.objects.get(user=personas["police_contact"]),
                keywords=["calls", "cad"],
                reason="Named the steward",
            )
        return reverse(name, kwargs={"pk": dataset.pk})

    return url


def dataset_with_errors(page, personas) -> int:
    """The dataset form with a field added by its button, then submitted with problems in the metadata, a
    distribution and the dictionary: re-shown with the summary and each error by its input."""
    page.locator('input[name="title"]').fill("Overtime")
    page.locator('textarea[name="description"]').fill("Overtime hours by employee.")
    page.locator('input[name="distributions-0-download_url"]').fill("https://data.example.gov/overtime.csv")
    page.locator('input[name="fields-0-name"]').fill("employee_id")
    page.get_by_role("button", name="Add a field").click()
    page.locator('input[name="fields-3-name"]').fill("employee_id")
    status = _submit(page)
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.locator("#id_fields-3-name_error")).to_be_visible()
    return status


@dataclass(frozen=True)
class Case:
    name: str
    persona: str
    url: str | Callable
    status: int = 200
    then: Callable | None = None

    @property
    def id(self) -> str:
        return f"{self.name}[{self.persona}]"


CASES = [
    Case("home", "anonymous", "/"),
    Case("home", "stat_lead", "/"),
    Case("login", "anonymous", "/accounts/login/"),
    Case("login-wrong-password", "anonymous", "/accounts/login/", then=wrong_password),
    Case("login-locked-out", "anonymous", "/accounts/login/", status=429, then=locked_out),
    Case("password-reset", "anonymous", "/accounts/password/reset/"),
    Case("password-reset-sent", "anonymous", "/accounts/password/reset/", then=reset_requested),
    *(Case("dashboard", persona, "/dashboard/") for persona in SIGNED_IN),
    Case("roster", "stat_lead", "/team/"),
    Case("roster", "parks_contact", "/team/"),
    Case("gaps", "stat_lead", "/team/gaps/"),
    Case("people", "stat_analyst", "/team/people/"),
    Case("person", "stat_lead", person_url("police_lead")),
    Case("person", "police_contact", person_url("police_lead")),
    Case("person-add", "stat_lead", "/team/people/add/"),
    Case("person-add-errors", "stat_lead", "/team/people/add/", then=empty_person),
    Case("person-edit", "stat_analyst", person_url("police_contact", "team:person_edit")),
    Case("role-assign", "stat_lead", person_url("police_contact", "team:role_assign")),
    Case(
        "role-assign-errors",
        "stat_lead",
        person_url("police_contact", "team:role_assign"),
        then=role_without_department,
    ),
    Case("department", "stat_lead", department_url("police")),
    Case("department", "police_lead", department_url("police")),
    Case("departments", "stat_lead", "/team/departments/"),
    Case("departments", "police_contact", "/team/departments/"),
    Case("department-add", "stat_lead", "/team/departments/add/"),
    Case("department-add-errors", "stat_lead", "/team/departments/add/", then=duplicate_department),
    Case("department-edit", "principal", edit_url("team:department_edit", "police")),
    Case("portfolios", "stat_lead", "/team/portfolios/"),
    Case("portfolios", "budget_analyst", "/team/portfolios/"),
    Case("portfolio-add", "stat_lead", "/team/portfolios/add/"),
    Case("portfolio-add-errors", "stat_lead", "/team/portfolios/add/", then=blank_portfolio),
    Case("portfolio-edit", "stat_lead", edit_url("team:portfolio_edit", "public_safety")),
    Case("password-change", "police_contact", "/accounts/password/change/"),
    Case("password-change-errors", "police_contact", "/accounts/password/change/", then=wrong_old_password),
    Case("not-found", "anonymous", "/no-such-page/", status=404),
    Case("not-found", "stat_lead", "/team/departments/no-such-department/", status=404),
    Case("forbidden", "parks_contact", "/team/gaps/", status=403),
    Case("api-docs", "anonymous", "/api/docs/", then=lambda page, personas: swagger_rendered(page)),
    Case("harvest", "stat_analyst", "/inventory/harvest/"),
    Case("harvest-errors", "stat_lead", "/inventory/harvest/", status=400, then=harvest_without_source),
    Case("harvest-preview", "stat_analyst", "/inventory/harvest/", then=harvest_previewed),
    Case("harvest-complete", "stat_lead", "/inventory/harvest/", then=harvest_imported),
    Case("harvest-progress", "stat_analyst", job_url("inventory.harvest", "inventory:harvest_job")),
    Case("harvest-running", "stat_analyst", job_url("inventory.harvest", "inventory:harvest_job", state="running")),
    Case("harvest-stopped", "stat_analyst", job_url("inventory.harvest", "inventory:harvest_job", state="failed")),
    Case(
        "import-progress",
        "police_contact",
        job_url("inventory.import", "inventory:import_job", persona="police_contact"),
    ),
    Case(
        "dictionary-draft-progress",
        "police_contact",
        job_url("inventory.dictionary_draft", "inventory:dictionary_draft_job", persona="police_contact", dataset=True),
    ),
    Case("dictionary-draft", "police_contact", dictionary_url),
    Case("dictionary-draft-preview", "stat_analyst", dictionary_url, then=dictionary_drafted),
    Case("import", "stat_analyst", "/inventory/import/"),
    Case("import", "police_contact", "/inventory/import/"),
    Case("import-errors", "stat_analyst", "/inventory/import/", status=400, then=import_without_file),
    Case("import-preview-errors", "stat_analyst", "/inventory/import/", then=import_with_errors),
    Case("discovery", "stat_analyst", "/inventory/discovery/"),
    Case("discovery-department", "police_contact", "/inventory/discovery/police/", then=discovery_answered),
    Case("priority", "stat_lead", "/inventory/priority/"),
    Case("priority", "stat_analyst", "/inventory/priority/"),
    Case("dataset-add", "stat_analyst", "/inventory/datasets/add/"),
    Case("dataset-add", "police_contact", "/inventory/datasets/add/"),
    Case("dataset-add-errors", "stat_analyst", "/inventory/datasets/add/", then=dataset_with_errors),
    Case("dataset", "stat_analyst", dataset_page_url("inventory:dataset")),
    Case("dataset", "police_lead", dataset_page_url("inventory:dataset")),
    Case("dataset-edit", "police_contact", dataset_page_url("inventory:dataset_edit")),
    Case("dataset-history", "stat_analyst", dataset_page_url("inventory:dataset_history")),
    Case("dataset-history", "data_expert", dataset_page_url("inventory:dataset_history")),
    Case("inventory", "stat_analyst", "/inventory/"),
    Case("inventory", "police_lead", "/inventory/"),
    Case("inventory-filtered", "stat_lead", "/inventory/?department=police&search=crashes&sort=-priority"),
    Case("inventory-filter-errors", "stat_analyst", "/inventory/?department=atlantis"),
    Case("inventory-bulk-done", "stat_analyst", "/inventory/", then=bulk_status_change),
    Case("public-datasets", "anonymous", "/public/datasets/"),
    Case("public-datasets-filtered", "anonymous", "/public/datasets/?theme=Public+Safety&search=traffic"),
    Case("public-dataset", "anonymous", "/public/datasets/pd-crashes/"),
    Case("public-dataset", "police_contact", "/public/datasets/pd-crashes/"),
    *(Case(*args) for args in QUALITY_CASES),
    *(Case(*args) for args in GOALS_CASES),
    *(Case(*args) for args in GOALS_DASHBOARD_CASES),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_page_passes_axe(page, open_as, personas, city, inventory_datasets, case):
    url = case.url(personas, city) if callable(case.url) else case.url
    status = open_as(page, case.persona, url).status
    if case.then:
        status = case.then(page, personas)
    assert status == case.status, f"{case.id}: {url} answered {status}, expected {case.status} (now at {page.url})"
    assert_accessible(page)


def test_api_docs_load_from_our_own_static_files(page, personas):
    """Swagger UI (third-party) must render from our static files alone (our template override adds ``lang``)."""
    response = page.goto("/api/docs/")
    assert response.status == 200
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("statprogram API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("anonymous", "/"),
        ("stat_lead", "/team/"),
        ("stat_lead", "/team/people/"),
        ("stat_lead", "/team/departments/"),
        ("stat_lead", "/team/portfolios/public-safety/edit/"),
    ],
)
def test_pages_reflow_on_a_phone_without_sideways_scrolling(page, open_as, personas, persona, url):
    """WCAG 2.1 1.4.10 Reflow: at 320 CSS pixels wide the page itself never scrolls sideways (wide tables scroll
    inside their own focusable container)."""
    page.set_viewport_size({"width": 320, "height": 800})
    open_as(page, persona, url)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{url} scrolls sideways by {overflow}px at 320px wide"
