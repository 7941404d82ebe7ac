import pytest

from helpdesk.tasks import ping


@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_a_task_through_redis(celery_worker):
    result = ping.delay()

    assert result.get(timeout=10) == "pong"
    assert result.successful()
