"""Background work of the escalation app; each task only calls a service."""

from datetime import datetime

from celery import shared_task

from accounts.models import User
from escalation.recalculation import policy_recalculate_clocks
from escalation.rules import run_periodic_rules
from escalation.scan import scan
from tickets.sla.models import BusinessCalendar


@shared_task(name="escalation.recalculate_policy_clocks", acks_late=True, ignore_result=True)
def recalculate_policy_clocks(
    policy_id: int,
    acting_user_id: int | None = None,
    calendar_before_id: int | None = None,
    changed_at: str | None = None,
) -> int:
    """Queued on commit by every policy change; running it twice changes nothing the second time."""
    return policy_recalculate_clocks(
        policy_id,
        acting_user=User.objects.filter(pk=acting_user_id).first() if acting_user_id else None,
        calendar_before=BusinessCalendar.objects.filter(pk=calendar_before_id).first() if calendar_before_id else None,
        changed_at=datetime.fromisoformat(changed_at) if changed_at else None,
    )


@shared_task(name="escalation.sla_scan", acks_late=True, ignore_result=True)
def sla_scan() -> int:
    """Every minute (beat): record and act on SLA crossings. Idempotent; overlapping runs are safe."""
    result = scan()
    return result.warnings + result.breaches


@shared_task(name="escalation.run_rules", acks_late=True, ignore_result=True)
def run_escalation_rules() -> int:
    """Every minute (beat): fire the P1 / reopened / unassigned rules. Each firing happens once per ticket."""
    return run_periodic_rules()
