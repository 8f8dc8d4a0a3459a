"""URLs inside a firm: /f/<firm_slug>/…  (namespace `projects`)."""

from django.urls import path

from projects.views import firms

app_name = "projects"

urlpatterns = [
    path("", firms.dashboard, name="dashboard"),
    path("settings/", firms.firm_settings, name="firm-settings"),
    path("settings/members/", firms.members, name="members"),
    path("settings/invitations/", firms.invitation_new, name="invitation-new"),
    path(
        "settings/invitations/<int:invitation_id>/revoke/",
        firms.invitation_revoke_view,
        name="invitation-revoke",
    ),
    path("settings/members/<int:membership_id>/role/", firms.member_role, name="member-role"),
    path("settings/members/<int:membership_id>/remove/", firms.member_remove, name="member-remove"),
]
