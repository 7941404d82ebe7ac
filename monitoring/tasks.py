"""Background work of the monitoring app; each task only calls a service."""

from celery import shared_task

from monitoring.spikes import detect_spikes as detect


@shared_task(name="monitoring.detect_spikes", acks_late=True, ignore_result=True)
def detect_spikes() -> int:
    """Every five minutes (beat): open, update and end category spikes. Overlapping runs are safe."""
    return len(detect().opened)
