"""The demo alert source (monitoring/demo.py) and demo mailbox (mail/demo.py) that ``seed_demo`` adds."""

from accounts.demo import seed_accounts
from mail.demo import ADDRESS, seed_mailbox
from mail.models import Mailbox, Transport
from monitoring.demo import ALERT_SOURCE, seed_alerts
from monitoring.models import Alert
from notifications.models import OutboxEmail
from tickets.models import Status


def test_the_demo_alert_source_has_one_open_and_one_cleared_incident_and_is_seeded_once(db):
    seed_accounts()

    assert seed_alerts() == 2
    assert seed_alerts() == 0

    alerts = {alert.fingerprint: alert for alert in Alert.objects.select_related("ticket", "source")}
    assert {alert.source.name for alert in alerts.values()} == {ALERT_SOURCE}
    assert alerts["demo-disk-fileserver-01"].ticket.status not in (Status.RESOLVED, Status.CLOSED)
    assert alerts["demo-uplink-branch-2"].ticket.status == Status.RESOLVED  # the source auto-resolves
    assert str(alerts["demo-uplink-branch-2"].ticket.team) == "Network & Infrastructure"
    assert not OutboxEmail.objects.exists()  # the demo tells nobody


def test_the_demo_mailbox_is_received_by_the_lmtp_receiver_and_seeded_once(db):
    seed_accounts()

    assert seed_mailbox() is True
    assert seed_mailbox() is False
    mailbox = Mailbox.objects.get(address=ADDRESS)
    assert mailbox.transport == Transport.RECEIVER and str(mailbox.team) == "Service Desk"
