"""URLs inside a firm: /f/<firm_slug>/…  (namespace `projects`)."""

from django.urls import include, path

from advisor.views import activity, exports, narratives, review, reviews
from projects.views import clients, engagements, firms, sessions

app_name = "projects"

urlpatterns = [
    path("", firms.dashboard, name="dashboard"),
    path("firms/", firms.firm_switcher, name="firm-switcher"),
    # Clients
    path("clients/", clients.clients, name="clients"),
    path("clients/new/", clients.client_new, name="client-new"),
    path("clients/<int:client_id>/", clients.client_detail, name="client-detail"),
    path("clients/<int:client_id>/edit/", clients.client_edit, name="client-edit"),
    path("clients/<int:client_id>/delete/", clients.client_delete_view, name="client-delete"),
    path("clients/<int:client_id>/contacts/", clients.contact_new, name="contact-new"),
    path(
        "clients/<int:client_id>/contacts/<int:contact_id>/remove/",
        clients.contact_remove_view,
        name="contact-remove",
    ),
    # Engagements
    path("engagements/", engagements.engagements, name="engagements"),
    path("engagements/new/", engagements.engagement_new, name="engagement-new"),
    path(
        "engagements/<int:engagement_id>/",
        engagements.engagement_detail,
        name="engagement-detail",
    ),
    path(
        "engagements/<int:engagement_id>/edit/",
        engagements.engagement_edit,
        name="engagement-edit",
    ),
    path(
        "engagements/<int:engagement_id>/status/",
        engagements.engagement_status,
        name="engagement-status",
    ),
    path(
        "engagements/<int:engagement_id>/profile/",
        engagements.profile_edit,
        name="profile-edit",
    ),
    path(
        "engagements/<int:engagement_id>/sessions/new/",
        sessions.session_new,
        name="session-new",
    ),
    path("engagements/<int:engagement_id>/intake/", include("projects.intake_firm_urls")),
    # Sessions
    path("sessions/<int:session_id>/", sessions.session_detail, name="session-detail"),
    path("sessions/<int:session_id>/edit/", sessions.session_edit, name="session-edit"),
    path("sessions/<int:session_id>/notes/", sessions.session_notes, name="session-notes"),
    path("sessions/<int:session_id>/session.ics", sessions.session_ics_view, name="session-ics"),
    path("sessions/<int:session_id>/follow-ups/", sessions.follow_up_new, name="follow-up-new"),
    path(
        "follow-ups/<int:follow_up_id>/toggle/",
        sessions.follow_up_toggle_view,
        name="follow-up-toggle",
    ),
    # Recommendations: the review queue and workspace, workflow, exports
    path("reviews/", reviews.reviews, name="reviews"),
    path("activity/", activity.activity, name="activity"),
    path("engagements/<int:engagement_id>/recommendation/", review.review, name="review"),
    # The review page's fragments, which it loads over HTMX
    path(
        "engagements/<int:engagement_id>/recommendation/revisions/",
        review.review_revisions,
        name="review-revisions",
    ),
    path(
        "engagements/<int:engagement_id>/recommendation/activity/",
        review.review_activity,
        name="review-activity",
    ),
    path(
        "recommendations/<int:recommendation_id>/overrides/",
        review.override_new,
        name="override-new",
    ),
    path(
        "recommendations/<int:recommendation_id>/overrides/<int:override_id>/withdraw/",
        review.override_withdraw_view,
        name="override-withdraw",
    ),
    path(
        "recommendations/<int:recommendation_id>/narrative/",
        review.narrative_save,
        name="narrative-save",
    ),
    path(
        "recommendations/<int:recommendation_id>/narrative/state/",
        narratives.narrative_state,
        name="narrative-state",
    ),
    path(
        "recommendations/<int:recommendation_id>/narrative/regenerate/",
        narratives.narrative_regenerate_view,
        name="narrative-regenerate",
    ),
    path(
        "recommendations/<int:recommendation_id>/narrative/accept/",
        narratives.narrative_sentence_accept_view,
        name="narrative-sentence-accept",
    ),
    path(
        "recommendations/<int:recommendation_id>/review-request/",
        review.review_request_view,
        name="review-request",
    ),
    path(
        "recommendations/<int:recommendation_id>/review-request/form/",
        review.review_request_form,
        name="review-request-form",
    ),
    path("recommendations/<int:recommendation_id>/approve/", review.approve, name="approve"),
    path("recommendations/<int:recommendation_id>/deliver/", review.deliver, name="deliver"),
    path("recommendations/<int:recommendation_id>/what-if/", review.whatif, name="whatif"),
    path(
        "recommendations/<int:recommendation_id>/scenarios/",
        review.scenarios_compare,
        name="scenarios",
    ),
    path(
        "share-links/<int:share_link_id>/revoke/",
        review.share_link_revoke_view,
        name="share-revoke",
    ),
    path("revisions/<int:revision_id>/report.md", exports.revision_markdown, name="revision-md"),
    path("revisions/<int:revision_id>/report.pdf", exports.revision_pdf, name="revision-pdf"),
    # Library: price books and evidence
    path("library/", include("advisor.library_urls")),
    # Firm settings
    path("settings/", firms.firm_settings, name="firm-settings"),
    path("settings/members/", firms.members, name="members"),
    path("settings/api-keys/", include("projects.api_key_urls")),
    path("settings/invitations/", firms.invitation_new, name="invitation-new"),
    path(
        "settings/invitations/<int:invitation_id>/revoke/",
        firms.invitation_revoke_view,
        name="invitation-revoke",
    ),
    path("settings/members/<int:membership_id>/role/", firms.member_role, name="member-role"),
    path("settings/members/<int:membership_id>/remove/", firms.member_remove, name="member-remove"),
]
