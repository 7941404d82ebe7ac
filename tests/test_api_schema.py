from django.core.management import call_command


def test_openapi_schema_is_valid_and_free_of_warnings(db, tmp_path):
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    text = target.read_text()
    assert "/api/tickets/{reference}/resolve/" in text
    assert "ResolutionCodeEnum" in text
    for path in (
        "/api/articles/",
        "/api/articles/{id}/",
        "/api/articles/{id}/submit/",
        "/api/articles/{id}/approve/",
        "/api/articles/{id}/return/",
        "/api/articles/{id}/archive/",
        "/api/articles/{id}/unarchive/",
        "/api/articles/{id}/versions/",
        "/api/articles/{id}/versions/{number}/",
        "/api/articles/{id}/versions/{number}/restore/",
        "/api/articles/{id}/vote/",
        "/api/articles/{id}/links/",
        "/api/articles/{id}/links/{reference}/",
    ):
        assert f"  {path}:" in text, path
    # Articles and tickets both have a "status", with different values: two enums, two names.
    assert "\n    ArticleStatusEnum:" in text and "\n    StatusEnum:" in text
