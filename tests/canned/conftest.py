import pytest

from canned.models import ReplyTemplate


@pytest.fixture
def carols_template(carol):
    return ReplyTemplate.objects.create(
        title="Carol: restart", body="Hi {requester_first_name}, please restart.", owner=carol
    )


@pytest.fixture
def daves_template(dave):
    return ReplyTemplate.objects.create(title="Dave: cable check", body="Check the cable.", owner=dave)


@pytest.fixture
def desk_template(service_desk):
    return ReplyTemplate.objects.create(
        title="Desk: acknowledgement", body="Hello {requester_name}, we are on {ticket_reference}.", team=service_desk
    )


@pytest.fixture
def network_template(network_team):
    return ReplyTemplate.objects.create(title="Network: outage", body="A known outage.", team=network_team)
