"""Row-level security in PostgreSQL, tested through the non-superuser application role on
non-empty tables: with no firm set nothing is visible, and another firm's rows can be neither
read nor written — whatever the application does."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from projects.models import Invitation, Membership
from projects.tenancy.rls import firm_owned_tables
from projects.tenancy.scope import FirmScopeMissing, dangerously_unscoped, firm_scope
from tests.factories import InvitationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_firms(firm, other_firm):
    for f in (firm, other_firm):
        MembershipFactory.create_batch(2, firm=f)
        InvitationFactory.create_batch(2, firm=f)
    return firm, other_firm


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (our table names)
        return cursor.fetchone()[0]


def _setting() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.current_firm', true)")
        return cursor.fetchone()[0] or ""


def test_every_firm_table_has_forced_rls_with_using_and_check_policies():
    tables = firm_owned_tables()
    assert {"projects_membership", "projects_invitation"} <= set(tables)
    with connection.cursor() as cursor:
        # Every table in the database with a firm_id column, not only the ones models declare.
        cursor.execute(
            "SELECT table_name FROM information_schema.columns "
            "WHERE column_name = 'firm_id' AND table_schema = 'public'"
        )
        in_db = {row[0] for row in cursor.fetchall()}
        assert in_db == set(tables)
        for table in in_db:
            cursor.execute(
                "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = %s",
                [table],
            )
            assert cursor.fetchone() == (True, True), table
            cursor.execute("SELECT qual, with_check FROM pg_policies WHERE tablename = %s", [table])
            policies = cursor.fetchall()
            assert len(policies) == 1, table
            qual, check = policies[0]
            assert "app.current_firm" in qual and "app.current_firm" in check
            assert "rls_bypass" not in check, "the bypass must never allow writes"


def test_runtime_role_cannot_bypass_rls():
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)


def test_no_firm_set_returns_zero_rows_from_every_firm_table(two_firms):
    firm, _ = two_firms
    with firm_scope(firm):
        assert _count("projects_membership") == 2
        assert _count("projects_invitation") == 2
    assert _setting() == ""
    for table in firm_owned_tables():
        assert _count(table) == 0, table


def test_scope_sees_only_its_firm_even_without_the_application_filter(two_firms):
    firm, other = two_firms
    with override_settings(FORKCAST_APP_FIRM_FILTER=False), firm_scope(firm):
        assert {m.firm_id for m in Membership.objects.all()} == {firm.pk}
        assert Invitation.objects.count() == 2
        assert not Membership.objects.filter(firm=other).exists()


def test_cross_firm_insert_is_refused_by_the_database(two_firms):
    firm, other = two_firms
    with firm_scope(firm), pytest.raises(DatabaseError, match="row-level security"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO projects_invitation (firm_id, email, role, token_hash, created_at,"
                " expires_at) VALUES (%s, 'x@example.com', 'viewer', 'h', now(), now())",
                [other.pk],
            )


def test_cross_firm_update_touches_nothing_and_moving_a_row_is_refused(two_firms):
    firm, other = two_firms
    with firm_scope(other):
        other_ids = list(Invitation.objects.values_list("pk", flat=True))
    with firm_scope(firm):
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE projects_invitation SET email = 'stolen@example.com' WHERE id = ANY(%s)",
                [other_ids],
            )
            assert cursor.rowcount == 0
        with pytest.raises(DatabaseError, match="row-level security"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("UPDATE projects_invitation SET firm_id = %s", [other.pk])
    with firm_scope(other):
        assert not Invitation.objects.filter(email="stolen@example.com").exists()


def test_scoped_manager_fails_closed_outside_a_scope(two_firms):
    with pytest.raises(FirmScopeMissing):
        list(Membership.objects.all())


def test_bypass_reads_across_firms_but_cannot_write(two_firms):
    firm, _ = two_firms
    with dangerously_unscoped(reason="test"):
        assert Membership.objects.count() == 4
        with pytest.raises(DatabaseError, match="row-level security"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO projects_invitation (firm_id, email, role, token_hash,"
                    " created_at, expires_at) VALUES (%s, 'y@example.com', 'viewer', 'h2',"
                    " now(), now())",
                    [firm.pk],
                )
    assert _count("projects_membership") == 0


def test_setting_is_reset_after_the_scope_ends_and_after_an_error(two_firms):
    firm, _ = two_firms
    with firm_scope(firm):
        assert _setting() == str(firm.pk)
    assert _setting() == ""
    with pytest.raises(RuntimeError), firm_scope(firm):
        raise RuntimeError("boom")
    assert _setting() == ""
    with pytest.raises(DatabaseError), firm_scope(firm), connection.cursor() as cursor:
        cursor.execute("SELECT 1/0")
    assert _setting() == ""
    assert _count("projects_membership") == 0


def test_writing_another_firms_row_in_scope_is_refused_by_the_model(two_firms):
    firm, other = two_firms
    with firm_scope(other):
        row = Membership.objects.first()
    with firm_scope(firm), pytest.raises(FirmScopeMissing):
        row.save()


def test_a_nested_scope_hands_the_outer_firm_back(two_firms):
    firm, other = two_firms
    with firm_scope(firm):
        with firm_scope(other):
            assert _setting() == str(other.pk)
        assert _setting() == str(firm.pk)
        assert _count("projects_membership") == 2
        with dangerously_unscoped(reason="test"):
            assert _count("projects_membership") == 4
        assert _count("projects_membership") == 2
    assert _setting() == ""
