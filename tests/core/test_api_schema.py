import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

TEAM_PATHS = [
    "/api/departments/",
    "/api/departments/{slug}/",
    "/api/portfolios/",
    "/api/portfolios/{slug}/",
    "/api/people/",
    "/api/people/{id}/",
]


@pytest.fixture
def schema() -> dict:
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_schema_is_public_and_valid_openapi(schema):
    validate_schema(schema)  # raises on anything that is not valid OpenAPI 3
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "statprogram API"


def test_schema_is_also_served_as_yaml():
    response = Client().get("/api/schema/")
    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3.")


def test_schema_lists_the_team_endpoints_as_read_only(schema):
    for path in TEAM_PATHS:
        assert path in schema["paths"], path
        assert set(schema["paths"][path]) == {"get"}, path


def test_schema_says_contact_details_are_optional(schema):
    person = schema["components"]["schemas"]["PersonOutput"]
    assert {"email", "phone"} <= set(person["properties"])
    assert not {"email", "phone"} & set(person["required"])
    assert {"id", "full_name", "roles"} <= set(person["required"])


def test_schema_generates_without_warnings(tmp_path):
    # The same check as `manage.py spectacular --validate --fail-on-warn` in CI.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.")


def test_docs_are_public_and_load_swagger_ui_from_our_static_files():
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for asset in assets:
        if asset == "/api/docs/?script=":  # Swagger UI's start-up script, served by the view itself (not inline)
            continue
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not among the static files"
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html)
    for cdn in ("jsdelivr", "unpkg", "cdnjs"):
        assert cdn not in html


def test_schema_says_which_output_values_may_be_blank(schema):
    """DRF drops allow_blank from read-only model fields; the schema still says what the model allows."""
    components = schema["components"]["schemas"]
    blank = {"type": "string", "maxLength": 0}
    for component, field in [
        ("DatasetOutput", "license"),
        ("DatasetOutput", "landing_page"),
        ("DistributionOutput", "access_url"),
        ("DistributionOutput", "download_url"),
    ]:
        assert components[component]["properties"][field]["oneOf"][1] == blank, (component, field)
    for component, field in [("MeasureOutput", "aggregation"), ("CurrentRoleOutput", "speciality")]:
        variants = components[component]["properties"][field]["oneOf"]
        assert {"$ref": "#/components/schemas/BlankEnum"} in variants, (component, field)
    assert "oneOf" not in components["MeasureOutput"]["properties"]["direction"]  # never blank


def test_schema_declares_the_errors_each_operation_can_answer(schema):
    paths = schema["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            if "{" in path:
                assert "404" in operation["responses"], (method, path)
            if method == "get" and "{" not in path:  # paginated, filtered lists
                assert {"400", "404"} <= set(operation["responses"]), (method, path)
            if method in ("post", "put", "patch"):
                assert "403" in operation["responses"], (method, path)
    # Public lists never refuse anonymous visitors, so they declare no 403.
    assert "403" not in paths["/api/measures/"]["get"]["responses"]
    goal = next(p for p in paths["/api/measures/"]["get"]["parameters"] if p["name"] == "goal")
    assert goal["schema"]["type"] == "integer" and goal["schema"]["minimum"] == 1
