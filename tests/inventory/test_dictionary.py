"""The data dictionary services: drafting from a sample CSV, reading a Table Schema, publishing one, and replacing a
whole dictionary with what was drafted (through the one write path, ``dataset_save_dictionary``)."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from inventory.models import DataField, FieldType
from inventory.services.datasets import dataset_save_dictionary
from inventory.services.dictionary import (
    dictionary_from_csv,
    dictionary_from_table_schema,
    infer_type,
    table_schema_for,
)
from tests.inventory.factories import DataFieldFactory, DatasetFactory

SAMPLE = (
    "case_id,opened,closed_at,priority,cost,resolved,zip,notes\n"
    "1001,2026-01-02,2026-01-03T10:00:00Z,2,10.5,true,02134,\n"
    "1002,2026-01-05,2026-01-06T11:30:00Z,1,7,false,02135,called back\n"
    "1003,2026-02-01,,3,-1.25e2,yes,10001,\n"
)


def types(fields) -> dict:
    return {f["name"]: (f["type"], f["format"], f["required"]) for f in fields}


# --- drafting from a CSV -------------------------------------------------------------------------------------------


def test_csv_draft_names_fields_and_infers_types_by_parsing():
    fields = dictionary_from_csv(SimpleUploadedFile("sample.csv", SAMPLE.encode()))
    assert [f["name"] for f in fields] == [
        "case_id",
        "opened",
        "closed_at",
        "priority",
        "cost",
        "resolved",
        "zip",
        "notes",
    ]
    assert types(fields) == {
        "case_id": ("integer", "", True),
        "opened": ("date", "", True),
        "closed_at": ("datetime", "", False),
        "priority": ("integer", "", True),
        "cost": ("number", "", True),
        "resolved": ("boolean", "", True),
        "zip": ("string", "", True),  # leading zeros: an identifier, not a number
        "notes": ("string", "", False),
    }
    assert fields[0]["title"] == "Case id"


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_csv_draft_sniffs_the_delimiter(delimiter):
    text = SAMPLE.replace(",", delimiter)
    fields = dictionary_from_csv(io.BytesIO(text.encode()))
    assert types(fields)["cost"] == ("number", "", True)
    assert len(fields) == 8


def test_csv_draft_ignores_a_byte_order_mark_and_reads_windows_1252():
    fields = dictionary_from_csv(b"\xef\xbb\xbfname,amount\nCaf\xc3\xa9,3\n")
    assert [f["name"] for f in fields] == ["name", "amount"]
    fields = dictionary_from_csv("stra\u00dfe,n\nx,1\n".encode("cp1252"))
    assert fields[0]["name"] == "straße"


def test_csv_draft_reads_us_dates_and_spaced_datetimes_with_their_format():
    fields = dictionary_from_csv(b"day,at\n01/31/2026,2026-01-31 08:15:00\n12/01/2025,2025-12-01 17:00:00\n")
    assert types(fields) == {"day": ("date", "%m/%d/%Y", True), "at": ("datetime", "%Y-%m-%d %H:%M:%S", True)}


def test_csv_draft_of_a_header_only_file_is_all_optional_strings():
    fields = dictionary_from_csv(b"a,b\n")
    assert types(fields) == {"a": ("string", "", False), "b": ("string", "", False)}


def test_csv_draft_samples_only_the_first_rows():
    rows = "n\n" + "".join(f"{i}\n" for i in range(10)) + "not a number\n"
    assert types(dictionary_from_csv(rows.encode(), sample_rows=10))["n"] == ("integer", "", True)
    assert types(dictionary_from_csv(rows.encode()))["n"] == ("string", "", True)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"a,,c\n1,2,3\n", "Column 2 of the header row has no name"),
        (b"a,b,A\n1,2,3\n", "twice"),
        (b"\x81\x8d\x8f\x90\x9d", "encoding"),
    ],
)
def test_csv_draft_refuses_what_it_cannot_read_with_a_clear_message(content, message):
    with pytest.raises(ValidationError) as error:
        dictionary_from_csv(content)
    assert message in " ".join(error.value.messages)


def test_infer_type_prefers_the_narrowest():
    assert infer_type(["1", "-2"]) == ("integer", "")
    assert infer_type(["1", "2.5"]) == ("number", "")
    assert infer_type(["0", "1"]) == ("integer", "")  # 0/1 are numbers, not booleans
    assert infer_type(["Y", "n"]) == ("boolean", "")
    assert infer_type(["2026-02-30"]) == ("string", "")  # no such day
    assert infer_type(["nan"]) == ("string", "")
    assert infer_type([]) == ("string", "")


# --- reading a Table Schema ----------------------------------------------------------------------------------------

TABLE_SCHEMA = {
    "fields": [
        {
            "name": "case_id",
            "title": "Case",
            "type": "integer",
            "description": "The case number",
            "constraints": {"required": True, "unique": True, "minimum": 1, "maximum": 99999},
        },
        {"name": "status", "type": "string", "constraints": {"enum": ["open", "closed"], "pattern": "^[a-z]+$"}},
        {"name": "opened", "type": "date", "format": "default"},
        {"name": "score", "type": "number", "constraints": {"minimum": 0.5}},
    ],
    "primaryKey": "case_id",
}


def test_table_schema_is_read_into_field_dicts():
    fields = dictionary_from_table_schema(json.dumps(TABLE_SCHEMA).encode())
    assert fields[0] == {
        "name": "case_id",
        "title": "Case",
        "type": "integer",
        "format": "",
        "description": "The case number",
        "required": True,
        "unique": True,
        "allowed_values": [],
        "minimum": "1",
        "maximum": "99999",
        "pattern": "",
    }
    assert fields[1]["allowed_values"] == ["open", "closed"]
    assert fields[1]["pattern"] == "^[a-z]+$"
    assert fields[2]["format"] == ""
    assert fields[3]["minimum"] == "0.5"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not a Table Schema"),
        (b'{"resources": []}', "not a Table Schema"),
        (b'{"fields": []}', "no fields"),
        (b'{"fields": [{"title": "x"}]}', "Field 1 has no name"),
        (b'{"fields": [{"name": "a", "type": "text"}]}', "“text” is not a Table Schema type"),
        (b'{"fields": [{"name": "a"}, {"name": "A"}]}', "Field 2 (A): the name is used by another field"),
        (b'{"fields": [{"name": "n", "type": "integer", "constraints": {"minimum": "low"}}]}', "not a number"),
        (b'{"fields": [{"name": "p", "constraints": {"pattern": "(["}}]}', "not a valid regular expression"),
        (b"\x00\x01binary", "binary"),
    ],
)
def test_a_bad_table_schema_is_refused_with_a_clear_message(content, message):
    with pytest.raises(ValidationError) as error:
        dictionary_from_table_schema(content)
    assert message in " ".join(error.value.messages)


# --- publishing and replacing --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_table_schema_for_gives_numbers_for_numeric_constraints():
    dataset = DatasetFactory()
    DataFieldFactory(
        dataset=dataset,
        position=1,
        name="count",
        type=FieldType.INTEGER,
        required=True,
        minimum="0",
        maximum="100",
        allowed_values=["1", "2"],
    )
    DataFieldFactory(dataset=dataset, position=2, name="rate", type=FieldType.NUMBER, minimum="0.5", maximum="10")
    DataFieldFactory(dataset=dataset, position=3, name="day", type=FieldType.DATE, minimum="2020-01-01", format="")
    DataFieldFactory(dataset=dataset, position=4, name="note", title="", description="Free text", pattern="^.*$")
    assert table_schema_for(dataset) == {
        "fields": [
            {
                "name": "count",
                "title": "Count",
                "type": "integer",
                "constraints": {"required": True, "enum": [1, 2], "minimum": 0, "maximum": 100},
            },
            {"name": "rate", "title": "Rate", "type": "number", "constraints": {"minimum": 0.5, "maximum": 10}},
            {"name": "day", "title": "Day", "type": "date", "constraints": {"minimum": "2020-01-01"}},
            {"name": "note", "type": "string", "description": "Free text", "constraints": {"pattern": "^.*$"}},
        ]
    }


@pytest.mark.django_db
def test_a_table_schema_round_trips_through_the_dictionary(users):
    dataset = DatasetFactory()
    dataset_save_dictionary(
        dataset=dataset, fields=dictionary_from_table_schema(TABLE_SCHEMA), by=users["stat_analyst"]
    )
    published = table_schema_for(dataset)
    assert dictionary_from_table_schema(published) == dictionary_from_table_schema(TABLE_SCHEMA)
    assert published["fields"][0]["constraints"] == {"required": True, "unique": True, "minimum": 1, "maximum": 99999}


@pytest.mark.django_db
def test_replace_swaps_the_whole_dictionary_and_records_who(users):
    dataset = DatasetFactory()
    DataFieldFactory(dataset=dataset, name="old")
    analyst = users["stat_analyst"]
    dataset_save_dictionary(dataset=dataset, fields=dictionary_from_csv(b"a,b\n1,x\n"), by=analyst, reason="Drafted")
    assert list(dataset.fields.values_list("name", "type", "position")) == [("a", "integer", 0), ("b", "string", 1)]
    assert DataField.history.filter(name="a", history_type="+", history_user=analyst).exists()
    assert DataField.history.filter(name="old", history_type="-", history_user=analyst).exists()
    dataset.refresh_from_db()
    assert dataset.updated_by == analyst
    assert dataset.history.first().history_change_reason == "Drafted"


@pytest.mark.django_db
def test_a_drafted_field_takes_over_the_field_of_the_same_name(users):
    """Replacing a dictionary with a draft records each field's change, not a removal and an addition."""
    dataset = DatasetFactory()
    kept = DataFieldFactory(dataset=dataset, name="case_id", type="string")
    dataset_save_dictionary(dataset=dataset, fields=dictionary_from_csv(b"case_id\n7\n"), by=users["stat_analyst"])
    (field,) = dataset.fields.all()
    assert (field.pk, field.type) == (kept.pk, "integer")
    assert [h.history_type for h in field.history.order_by("history_id")] == ["+", "~"]


@pytest.mark.django_db
def test_a_draft_never_unmarks_a_personal_column(users):
    """A sample CSV or a Table Schema says nothing of which columns are personal: replacing the dictionary with a
    draft keeps the marks; only a row that says ``sensitive`` changes one."""
    dataset = DatasetFactory()
    analyst = users["stat_analyst"]
    dataset_save_dictionary(
        dataset=dataset, fields=[{"name": "full_name", "sensitive": True}, {"name": "charge"}], by=analyst
    )
    assert dict(dataset.fields.values_list("name", "sensitive")) == {"full_name": True, "charge": False}
    drafted = dictionary_from_csv(b"full_name,charge,dob\nJo,THEFT,1990-01-01\n")
    dataset_save_dictionary(dataset=dataset, fields=drafted, by=analyst, reason="Drafted")
    assert dict(dataset.fields.values_list("name", "sensitive")) == {"full_name": True, "charge": False, "dob": False}
    dataset_save_dictionary(
        dataset=dataset,
        fields=[{"name": "full_name", "sensitive": False}, {"name": "dob", "sensitive": True}],
        by=analyst,
    )
    assert dict(dataset.fields.values_list("name", "sensitive")) == {"full_name": False, "dob": True}
    assert DataField.history.filter(name="dob", sensitive=True, history_user=analyst).exists()


@pytest.mark.django_db
def test_an_unchanged_draft_leaves_the_dataset_untouched(users):
    dataset = DatasetFactory()
    dataset_save_dictionary(by=None, dataset=dataset, fields=dictionary_from_csv(b"a\n1\n"), reason="Drafted")
    entries = dataset.history.count()
    dataset_save_dictionary(by=None, dataset=dataset, fields=dictionary_from_csv(b"a\n1\n"), reason="Drafted")
    assert dataset.history.count() == entries


@pytest.mark.django_db
def test_replace_writes_nothing_when_one_field_is_bad():
    dataset = DatasetFactory()
    DataFieldFactory(dataset=dataset, name="kept")
    bad = [
        {"name": "good", "type": "string"},
        {"name": "", "type": "string"},
        {"name": "Good", "type": "integer"},
        {"name": "n", "type": "integer", "minimum": "many"},
        {"name": "t", "type": "text"},
    ]
    with pytest.raises(ValidationError) as error:
        dataset_save_dictionary(by=None, dataset=dataset, fields=bad)
    messages = error.value.message_dict["dictionary"]
    assert "Field 2: Enter the field’s name, as it appears in the data’s header row." in messages
    assert "Field 3 (“Good”): another field is already named “Good”; each name appears once." in messages
    assert "Field 4 (“n”): Enter a whole number, or leave it blank." in messages
    assert "Field 5 (“t”): Choose a type from the list." in messages
    assert list(dataset.fields.values_list("name", flat=True)) == ["kept"]
