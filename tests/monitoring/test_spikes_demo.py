"""The demo spike (monitoring/demo.py) that ``seed_demo`` adds."""

from accounts.demo import seed_accounts
from monitoring.demo import BURST, seed_spike
from monitoring.major_incidents import major_incident_children
from monitoring.models import Spike
from notifications.models import OutboxEmail


def test_the_demo_has_a_past_spike_linked_under_a_major_incident_and_is_seeded_once(db):
    seed_accounts()

    assert seed_spike() == 1
    assert seed_spike() == 0

    spike = Spike.objects.get()
    assert spike.ended_at is not None and str(spike.category) == "Network › VPN"
    children = list(major_incident_children(spike.parent))
    assert len(children) == BURST
    assert all(child.messages.filter(is_public=True, author=spike.parent.requester).count() == 1 for child in children)
    assert not OutboxEmail.objects.exists()  # the demo tells nobody
