"""Consultant-side intake URLs, inside a firm: /f/<firm>/engagements/<id>/intake/…
(namespace `projects`; every view gets `engagement_id`)."""

from django.urls import path

from projects.views import intake_consultant as views

urlpatterns = [
    path("", views.intake_panel, name="intake-panel"),
    path("send/", views.intake_link_send, name="intake-link-send"),
    path("reopen/", views.intake_reopen_view, name="intake-reopen"),
    path("links/<int:link_id>/resend/", views.intake_link_resend_view, name="intake-link-resend"),
    path("links/<int:link_id>/revoke/", views.intake_link_revoke_view, name="intake-link-revoke"),
]
