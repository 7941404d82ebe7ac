"""Demo data: a mailbox for the Service Desk that the LMTP receiver of ``make run`` accepts mail for.

Send to it with ``python -c "import smtplib; smtplib.LMTP('127.0.0.1', 8024).sendmail(...)"`` or
any mail client pointed at 127.0.0.1:8024 (docs/email.md). Does nothing once the mailbox exists.
"""

from __future__ import annotations

from accounts.models import Team
from mail.models import Mailbox, Transport

ADDRESS = "support@helpdesk.example"


def seed_mailbox() -> bool:
    """Create the demo mailbox; True when it was created now."""
    team = Team.objects.filter(name="Service Desk").first()
    if team is None or Mailbox.objects.filter(address__iexact=ADDRESS).exists():
        return False
    Mailbox.objects.create(name="Support (demo)", address=ADDRESS, team=team, transport=Transport.RECEIVER)
    return True
