"""Changes to who may do what are written to the audit log: once, with actor, target, before/after.

Each door is tried: the token services (page and API), the Django admin (a real POST), the
membership tables written directly, and code outside any request (the system).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import AuditAction, AuditEntry, ImmutableAuditError
from accounts.models import Role, Team, User
from accounts.tokens import ApiToken, token_create

AUDIT_PAGE = reverse("accounts:audit_log")


@pytest.fixture
def mark(db):
    """The entries written from now on: ``mark()`` after the fixtures are made."""
    start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return lambda: list(AuditEntry.objects.filter(id__gt=start).order_by("id"))


def _admin_post(client, url, **changes):
    """Submit an admin change form as a browser would: its current values, with ``changes``."""
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value is not None}
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


# --- API tokens -------------------------------------------------------------------------------


def test_creating_a_token_on_the_page_writes_one_entry(client, carol, mark):
    client.force_login(carol)
    mark_entries = mark

    response = client.post(reverse("accounts:api_tokens"), {"name": "monitoring"}, REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 201
    [entry] = mark_entries()
    token = ApiToken.objects.get(user=carol)
    assert (entry.action, entry.actor, entry.actor_email) == (AuditAction.TOKEN_CREATED, carol, carol.email)
    assert (entry.target_user, entry.target_token) == (carol, token)
    assert entry.after == {"name": "monitoring", "expires_at": None}
    assert entry.ip_address == "10.1.2.3"


def test_revoking_a_token_on_the_page_writes_one_entry_and_again_none(client, carol, mark):
    token, _raw = token_create(carol, name="bi export")
    client.force_login(carol)
    since = mark
    before_revoke = len(since())

    url = reverse("accounts:api_token_revoke", args=[token.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # already revoked: nothing changes

    entries = since()[before_revoke:]
    assert [(e.action, e.actor, e.target_token) for e in entries] == [(AuditAction.TOKEN_REVOKED, carol, token)]
    assert entries[0].before == {"revoked_at": None} and entries[0].after["revoked_at"]


def test_revoking_a_token_through_the_api_writes_one_entry(carol, mark):
    from rest_framework.test import APIClient

    used, raw = token_create(carol, name="script")
    other, _ = token_create(carol, name="old cron job")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    before = len(mark())

    response = api.delete(f"/api/v1/tokens/{other.pk}/", REMOTE_ADDR="10.9.9.9")

    assert response.status_code == 204
    [entry] = mark()[before:]
    assert (entry.action, entry.actor, entry.target_token) == (AuditAction.TOKEN_REVOKED, carol, other)
    assert entry.ip_address == "10.9.9.9"
    assert used.pk != other.pk


# --- the Django admin -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "action", "before", "after"),
    [
        ({"role": Role.MANAGER}, AuditAction.ROLE_CHANGED, {"role": "agent"}, {"role": "manager"}),
        ({"is_active": False}, AuditAction.DEACTIVATED, {"is_active": True}, {"is_active": False}),
        ({"is_superuser": True}, AuditAction.SUPERUSER_CHANGED, {"is_superuser": False}, {"is_superuser": True}),
    ],
    ids=["role", "deactivated", "superuser"],
)
def test_a_change_in_the_user_admin_writes_one_entry_naming_the_admin(
    client, ada, carol, mark, changes, action, before, after
):
    client.force_login(ada)
    since = mark

    _admin_post(client, reverse("admin:accounts_user_change", args=[carol.pk]), **changes)

    [entry] = since()
    assert (entry.action, entry.actor, entry.actor_email, entry.target_user) == (action, ada, ada.email, carol)
    assert (entry.before, entry.after) == (before, after)
    assert entry.target == carol.email


def test_moving_someone_to_another_organisation_in_the_admin_names_both(client, ada, alice, globex, mark):
    client.force_login(ada)

    _admin_post(client, reverse("admin:accounts_user_change", args=[alice.pk]), organisation=globex.pk)

    [entry] = mark()
    assert entry.action == AuditAction.ORGANISATION_CHANGED
    assert (entry.before, entry.after) == ({"organisation": "Acme"}, {"organisation": "Globex"})


def test_saving_a_user_in_the_admin_without_changes_writes_nothing(client, ada, carol, mark):
    client.force_login(ada)

    _admin_post(client, reverse("admin:accounts_user_change", args=[carol.pk]))

    assert mark() == []


def test_team_membership_changed_in_the_admin_writes_one_entry_per_person(
    client, ada, carol, dave, erin, service_desk, mark
):
    client.force_login(ada)

    _admin_post(
        client,
        reverse("admin:accounts_team_change", args=[service_desk.pk]),
        members=[dave.pk],  # carol out, dave in
        managers=[erin.pk, carol.pk],  # carol made a manager
    )

    got = {(e.action, e.target_user, e.actor) for e in mark()}
    assert got == {
        (AuditAction.TEAM_MEMBER_REMOVED, carol, ada),
        (AuditAction.TEAM_MEMBER_ADDED, dave, ada),
        (AuditAction.TEAM_MANAGER_ADDED, carol, ada),
    }
    assert len(mark()) == 3
    removed = next(e for e in mark() if e.action == AuditAction.TEAM_MEMBER_REMOVED)
    assert removed.target_team == service_desk
    assert (removed.before, removed.after) == ({"members": True}, {"members": False})


# --- the membership tables and code outside a request -----------------------------------------


def test_a_membership_written_to_the_through_table_is_recorded_as_the_system(carol, dave, service_desk, mark):
    Team.members.through.objects.create(team=service_desk, user=dave)
    Team.members.through.objects.filter(team=service_desk, user=carol).delete()

    entries = mark()
    assert [(e.action, e.target_user, e.actor, e.actor_email) for e in entries] == [
        (AuditAction.TEAM_MEMBER_ADDED, dave, None, ""),
        (AuditAction.TEAM_MEMBER_REMOVED, carol, None, ""),
    ]
    assert all(e.target_team == service_desk for e in entries)


def test_adding_and_removing_from_either_side_of_the_relation_is_recorded_once(carol, dave, network_team, mark):
    carol.teams.add(network_team)  # from the user's side
    network_team.members.remove(dave)  # from the team's side
    network_team.managers.set([carol])

    assert [(e.action, e.target_user) for e in mark()] == [
        (AuditAction.TEAM_MEMBER_ADDED, carol),
        (AuditAction.TEAM_MEMBER_REMOVED, dave),
        (AuditAction.TEAM_MANAGER_ADDED, carol),
    ]


def test_a_role_changed_from_the_shell_is_recorded_as_the_system(carol, mark):
    carol.role = Role.REQUESTER
    carol.save()
    carol.is_active = True  # unchanged
    carol.save(update_fields=["is_active"])

    [entry] = mark()
    assert (entry.action, entry.actor, entry.actor_label) == (AuditAction.ROLE_CHANGED, None, "system")


def test_groups_and_permissions_given_are_recorded(carol, mark):
    group = Group.objects.create(name="Auditors")
    carol.groups.add(group)
    carol.groups.remove(group)

    assert [(e.action, e.after) for e in mark()] == [
        (AuditAction.GROUPS_CHANGED, {"added": ["Auditors"]}),
        (AuditAction.GROUPS_CHANGED, {"removed": ["Auditors"]}),
    ]


def test_a_new_agent_is_recorded_but_a_new_requester_is_not(db, mark):
    User.objects.create_user("newagent@helpdesk.example", "x" * 12, full_name="New", role=Role.AGENT)
    User.objects.create_user("guest@somewhere.example", "x" * 12, full_name="Guest")

    assert [(e.action, e.target) for e in mark()] == [(AuditAction.USER_CREATED, "newagent@helpdesk.example")]


# --- append-only ------------------------------------------------------------------------------


def test_entries_cannot_be_changed_or_deleted_even_with_sql(carol, mark):
    carol.role = Role.MANAGER
    carol.save()
    [entry] = mark()

    with pytest.raises(ImmutableAuditError):
        entry.save()
    with pytest.raises(ImmutableAuditError):
        entry.delete()
    for sql in (
        "UPDATE accounts_auditentry SET action = 'activated' WHERE id = %s",
        "UPDATE accounts_auditentry SET actor_id = target_user_id WHERE id = %s",
        "DELETE FROM accounts_auditentry WHERE id = %s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == AuditAction.ROLE_CHANGED


def test_deleting_a_person_keeps_their_entries_by_e_mail(client, ada, carol, service_desk, mark):
    client.force_login(carol)
    token_create(carol, name="cron")  # carol is the actor
    carol_id = carol.pk

    carol.delete()

    entries = mark()
    assert [e.action for e in entries] == [
        AuditAction.TOKEN_CREATED,
        AuditAction.TEAM_MEMBER_REMOVED,
        AuditAction.USER_DELETED,
    ]
    assert not AuditEntry.objects.filter(actor_id=carol_id).exists()
    assert not AuditEntry.objects.filter(target_user_id=carol_id).exists()
    assert entries[-1].target == "carol@helpdesk.example"
    assert entries[0].target.startswith("carol@helpdesk.example")


# --- the admin's read-only list ---------------------------------------------------------------


def test_the_admin_lists_entries_but_refuses_every_edit(client, ada, carol, mark):
    carol.role = Role.MANAGER
    carol.save()
    [entry] = mark()
    client.force_login(ada)

    listing = client.get(reverse("admin:accounts_auditentry_changelist"), {"q": "carol@"})
    assert listing.status_code == 200 and "carol@helpdesk.example" in listing.content.decode()
    change_url = reverse("admin:accounts_auditentry_change", args=[entry.pk])
    assert client.get(change_url).status_code == 200  # viewed, read only
    assert client.post(change_url, {"action": "activated", "target": "x"}).status_code == 403
    assert client.post(reverse("admin:accounts_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:accounts_auditentry_add")).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == AuditAction.ROLE_CHANGED


# --- the audit page ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "carol", "erin"])
def test_only_admins_see_the_audit_page(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(AUDIT_PAGE).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(AUDIT_PAGE)

    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_page_filters_by_person_and_action(client, ada, carol, dave, network_team):
    carol.role = Role.MANAGER
    carol.save()
    carol.teams.add(network_team)
    dave.is_active = False
    dave.save()
    client.force_login(ada)

    about_carol = client.get(AUDIT_PAGE, {"person": "Carol@helpdesk.example"}).context["entries"]
    role_changes = client.get(AUDIT_PAGE, {"action": "role_changed"}).context["entries"]
    both = client.get(AUDIT_PAGE, {"person": "carol@helpdesk.example", "action": "team_member_added"})

    assert {e.action for e in about_carol} >= {AuditAction.ROLE_CHANGED, AuditAction.TEAM_MEMBER_ADDED}
    assert all(e.target_user_id == carol.pk or e.actor_id == carol.pk for e in about_carol)
    assert [e.target_user for e in role_changes] == [carol]
    assert [e.action for e in both.context["entries"]] == [AuditAction.TEAM_MEMBER_ADDED]
    assert "system" in both.content.decode()


def test_the_page_goes_back_a_page_at_a_time_and_survives_a_forged_cursor(client, ada, carol):
    start = timezone.now() - timedelta(days=1)
    AuditEntry.objects.bulk_create(
        AuditEntry(at=start + timedelta(minutes=i // 2), action=AuditAction.ROLE_CHANGED, target=f"p{i}@x.example")
        for i in range(70)
    )
    client.force_login(ada)

    first = client.get(AUDIT_PAGE, {"action": "role_changed"})
    second = client.get(AUDIT_PAGE + "?" + first.context["next_query"])

    one, two = first.context["entries"], second.context["entries"]
    assert len(one) == 50 and len(two) == 20 and second.context["next_query"] is None
    assert not {e.pk for e in one} & {e.pk for e in two}
    assert [e.at for e in one + two] == sorted((e.at for e in one + two), reverse=True)
    for forged in ("2026-13-45T00:00:00+00:00~5", "nonsense", "~" + "9" * 40):
        response = client.get(AUDIT_PAGE, {"after": forged})
        assert response.status_code == 200 and len(response.context["entries"]) == 50
    assert client.get(AUDIT_PAGE, {"person": "not an address"}).status_code == 200


def test_the_page_costs_a_fixed_number_of_queries(
    client, ada, carol, dave, service_desk, django_assert_max_num_queries
):
    for agent in (carol, dave):
        for role in (Role.MANAGER, Role.AGENT):
            agent.role = role
            agent.save()
    client.force_login(ada)

    with django_assert_max_num_queries(6):
        response = client.get(AUDIT_PAGE, {"person": "carol@helpdesk.example"})

    assert response.status_code == 200 and len(response.context["entries"]) >= 2


def test_admins_find_the_audit_log_in_the_manage_menu(client, ada, erin):
    client.force_login(ada)
    assert reverse("accounts:audit_log") in client.get(reverse("kb:home")).content.decode()

    client.force_login(erin)
    assert reverse("accounts:audit_log") not in client.get(reverse("kb:home")).content.decode()
