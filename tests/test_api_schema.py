from django.core.management import call_command


def test_openapi_schema_is_valid_and_free_of_warnings(db, tmp_path):
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    text = target.read_text()
    assert "/api/tickets/{reference}/resolve/" in text
    assert "ResolutionCodeEnum" in text
