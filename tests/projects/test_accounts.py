"""Sign-up, log-in (new session key), log-out and password reset by e-mail. The lockout after
failed log-ins: tests/reliability/test_link_abuse.py."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from projects.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def test_signup_creates_account_logs_in_and_offers_to_create_a_firm(client):
    response = client.post(
        reverse("signup"),
        {
            "full_name": "Nina Ortiz",
            "email": "Nina@Example.com",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="nina@example.com")
    assert user.full_name == "Nina Ortiz"
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert b"You are not in a firm yet" in home.content


def test_signup_errors_are_per_field_and_keep_what_was_typed(client):
    UserFactory(email="taken@example.com")
    response = client.post(
        reverse("signup"),
        {"full_name": "Sam Lee", "email": "taken@example.com", "password1": "x", "password2": "y"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "email" in form.errors and "password2" in form.errors
    assert b'value="Sam Lee"' in response.content
    assert b'value="taken@example.com"' in response.content


def test_login_gives_a_new_session_key(client):
    UserFactory(email="kim@example.com")
    client.get(reverse("login"))
    client.session["probe"] = 1
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    response = client.post(reverse("login"), {"username": "kim@example.com", "password": PASSWORD})
    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after and after != before
    assert int(client.session["_auth_user_id"]) == User.objects.get(email="kim@example.com").pk


def test_logout_is_a_post_and_ends_the_session(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email_end_to_end(client):
    UserFactory(email="reset@example.com")
    client.post(reverse("password_reset"), {"email": "reset@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/password/reset/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "brand-new-passphrase", "new_password2": "brand-new-passphrase"}
    )
    assert done.status_code == 302
    client.logout()
    login = client.post(
        reverse("login"), {"username": "reset@example.com", "password": "brand-new-passphrase"}
    )
    assert login.status_code == 302 and "_auth_user_id" in client.session


def test_home_redirects_a_member_of_one_firm_to_its_dashboard(firm, owner, owner_client):
    response = owner_client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:dashboard", kwargs={"firm_slug": "acme"})


def test_home_lists_firms_for_a_member_of_several(firm, other_firm, member, client_for):
    from tests.factories import MembershipFactory

    user = member(firm)
    MembershipFactory(firm=other_firm, user=user)
    response = client_for(user).get(reverse("home"))
    assert response.status_code == 200
    assert b"Acme Advisory" in response.content and b"Rival Partners" in response.content


def test_create_firm_makes_the_creator_owner(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("firm-new"), {"name": "Blue Fjord Consulting"})
    assert response.status_code == 302
    assert response["Location"] == "/f/blue-fjord-consulting/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["membership"].role == "owner"


def test_create_firm_requires_a_name(client):
    client.force_login(UserFactory())
    response = client.post(reverse("firm-new"), {"name": "  "})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
