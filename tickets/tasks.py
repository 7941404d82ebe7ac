from celery import shared_task

from tickets.services.status import auto_close_resolved


@shared_task(name="tickets.auto_close_resolved", acks_late=True, ignore_result=True)
def auto_close_resolved_tickets() -> int:
    return auto_close_resolved()
