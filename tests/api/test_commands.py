"""`createfirm` and `createapikey`: success, the key as the last line, bad input exits 2."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from projects.models import ApiKey, Firm, Membership, Role, User
from projects.tenancy.scope import firm_scope
from projects.tokens import token_hash
from tests.api.conftest import ApiClient, url

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_createfirm_makes_the_firm_and_its_owner():
    output = run(
        "createfirm", "northwind", "--name", "Northwind", "--owner", "Olga@North.example",
        "--password", "a-long-enough-passphrase",
    )  # fmt: skip
    firm = Firm.objects.get(slug="northwind")
    user = User.objects.get(email="olga@north.example")
    assert user.check_password("a-long-enough-passphrase")
    with firm_scope(firm):
        assert Membership.objects.get(user=user).role == Role.OWNER
    assert "Created firm northwind" in output


def test_createfirm_reuses_an_existing_account(member, firm):
    existing = member(firm, Role.VIEWER, email="someone@acme.example")
    output = run("createfirm", "second", "--name", "Second", "--owner", "someone@acme.example")
    second = Firm.objects.get(slug="second")
    with firm_scope(second):
        assert Membership.objects.get(firm=second).user == existing
    assert "existing account" in output


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["acme", "--name", "Again", "--owner", "a@b.example"], "taken"),
        (["api", "--name", "Reserved", "--owner", "a@b.example"], "reserved"),
        (["not a slug", "--name", "X", "--owner", "a@b.example"], "SLUG must be"),
        (["fresh", "--owner", "a@b.example"], "--name is required"),
        (["fresh", "--name", "X"], "--owner must be an e-mail"),
        (["fresh", "--name", "X", "--owner", "a@b.example", "--password", "123"], "--password"),
    ],
)
def test_createfirm_bad_input_exits_2(firm, args, reason):
    with pytest.raises(CommandError) as error:
        run("createfirm", *args)
    assert error.value.returncode == 2
    assert reason in str(error.value)
    assert not Firm.objects.filter(slug="fresh").exists()


def test_createapikey_prints_a_working_key_as_the_last_line(firm):
    output = run("createapikey", firm.slug, "--name", "CRM sync", "--scope", "write")
    lines = output.strip().splitlines()
    secret = lines[-1]
    assert secret.startswith("fc_") and " " not in secret
    assert "CRM sync" in lines[0]
    with firm_scope(firm):
        key = ApiKey.objects.get(name="CRM sync")
    assert key.scope == "write" and key.key_hash == token_hash(secret)
    assert secret not in (key.prefix, key.key_hash)  # only the hash and a prefix are kept
    api = ApiClient(secret)
    assert api.post(url(firm, "clients/"), {"name": "From the CLI"}).status_code == 201


def test_createapikey_defaults_to_a_read_key_that_never_expires(firm):
    secret = run("createapikey", firm.slug).strip().splitlines()[-1]
    with firm_scope(firm):
        key = ApiKey.objects.get(key_hash=token_hash(secret))
    assert (key.scope, key.expires_at, key.name) == ("read", None, "Command line")


def test_createapikey_with_an_expiry(firm):
    secret = run("createapikey", firm.slug, "--expires-days", "30").strip().splitlines()[-1]
    with firm_scope(firm):
        assert ApiKey.objects.get(key_hash=token_hash(secret)).expires_at is not None


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["no-such-firm"], "no firm"),
        (["acme", "--scope", "admin"], "--scope must be read or write"),
        (["acme", "--expires-days", "0"], "--expires-days"),
        (["acme", "--expires-days", "soon"], "--expires-days"),
        (["acme", "--name", "   "], "Name the key"),
    ],
)
def test_createapikey_bad_input_exits_2(firm, args, reason):
    with pytest.raises(CommandError) as error:
        run("createapikey", *args)
    assert error.value.returncode == 2
    assert reason in str(error.value)
    with firm_scope(firm):
        assert not ApiKey.objects.exists()
