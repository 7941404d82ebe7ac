"""One error shape everywhere: {"code", "detail"} (+ "fields" for input, "extra" for domain errors)."""

from django.urls import reverse

from tickets.services import ticket_resolve

LIST = reverse("tickets_api:ticket-list")


def test_not_signed_in_is_a_401(api):
    response = api.get(LIST)

    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "detail": response.json()["detail"]}


def test_input_errors_are_a_400_with_fields(as_user, alice):
    response = as_user(alice).post(LIST, {"subject": ""}, format="json")

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "invalid" and body["detail"]
    assert set(body["fields"]) == {"subject", "description"}


def test_a_domain_conflict_is_a_409_with_code_and_translated_detail(as_user, carol, ticket):
    ticket_resolve(ticket, code="fixed", summary="Done", acting_user=carol)
    as_user(carol)
    carol.language = "zh-hans"
    carol.save(update_fields=["language"])

    response = as_user(carol).post(
        reverse("tickets_api:ticket-change-status", args=[ticket.reference]), {"status": "pending"}, format="json"
    )

    body = response.json()
    assert response.status_code == 409
    assert body["code"] == "invalid_transition"
    assert body["extra"] == {"current": "resolved", "target": "pending"}
    assert body["detail"] and not body["detail"].startswith("A ticket that is")


def test_method_not_allowed_has_the_shape(as_user, carol, ticket):
    response = as_user(carol).delete(reverse("tickets_api:ticket-detail", args=[ticket.reference]))

    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"


def test_the_unversioned_paths_are_gone(as_user, alice):
    assert as_user(alice).get("/api/tickets/").status_code == 404
