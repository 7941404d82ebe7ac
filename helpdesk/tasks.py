from celery import shared_task


@shared_task(name="helpdesk.ping", ignore_result=False)
def ping() -> str:
    """Answered by any live worker; ``/healthz`` waits for it."""
    return "pong"
