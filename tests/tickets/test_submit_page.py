"""The request form and the anonymous navigation: a "Sign in" link, categories in tree order."""

import re

from django.urls import reverse

from tickets.models import Category

SUBMIT = reverse("tickets:submit")


def test_anonymous_navbar_offers_sign_in_back_to_the_same_page(client, db):
    page = client.get(SUBMIT).content.decode()

    link = re.search(r'<a [^>]*data-testid="sign-in"[^>]*>', page)
    assert link is not None
    assert 'href="/accounts/login/?next=/submit/"' in link.group(0)
    assert "Sign out" not in page


def test_signed_in_navbar_has_no_sign_in(client, alice):
    client.force_login(alice)

    page = client.get(SUBMIT).content.decode()

    assert 'data-testid="sign-in"' not in page and "Sign out" in page


def test_the_sign_in_page_does_not_link_to_itself(client, db):
    assert 'data-testid="sign-in"' not in client.get(reverse("accounts:login")).content.decode()


def test_category_picker_lists_each_parent_before_its_children(client, db):
    software = Category.objects.create(name="Software")
    hardware = Category.objects.create(name="Hardware")
    Category.objects.create(name="Zoom", parent=software)
    Category.objects.create(name="Email", parent=software)
    Category.objects.create(name="Printers", parent=hardware)
    Category.objects.create(name="Retired", parent=hardware, is_active=False)

    form = client.get(SUBMIT).context["form"]

    labels = [label for _value, label in form.fields["category"].choices][1:]
    assert labels == ["Hardware", "Hardware › Printers", "Software", "Software › Email", "Software › Zoom"]


def test_the_form_keeps_what_was_typed_in_the_tab_with_a_script(client, db):
    page = client.get(SUBMIT, {"subject": "Printer offline"}).content.decode()

    assert 'data-draft-key="helpdesk-request-draft-guest"' in page
    assert "js/request_draft" in page
    assert 'value="Printer offline"' in page
