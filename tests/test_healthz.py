import pytest
from django.test import override_settings


@pytest.mark.django_db(transaction=True)
def test_healthz_is_ok_when_database_redis_and_worker_answer(client, celery_worker):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok", "worker": "ok"}


@pytest.mark.django_db
def test_healthz_reports_a_missing_worker(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok", "worker": "error"}


@pytest.mark.django_db
def test_healthz_reports_the_broker_down_without_waiting_for_the_worker(client):
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "error", "worker": "error"}


@pytest.mark.django_db
def test_healthz_reports_the_cache_down_apart_from_the_broker(client):
    with override_settings(REDIS_CACHE_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["cache"] == "error"
    assert response.json()["broker"] == "ok"


def test_healthz_is_not_cached(client, db):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
