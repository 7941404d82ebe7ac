from celery import shared_task

from accounts.password_reset import send_pending_resets


@shared_task(name="accounts.send_password_resets", acks_late=True, ignore_result=True)
def send_password_resets() -> int:
    return send_pending_resets()
