from celery import shared_task

from notifications.outbox import deliver_due


@shared_task(name="notifications.deliver_outbox", acks_late=True, ignore_result=True)
def deliver_outbox() -> int:
    return deliver_due()
