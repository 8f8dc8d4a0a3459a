"""Founder-facing intake URLs (/intake/…): no account, the link's token is the key."""

from django.urls import path

from projects.views import intake

app_name = "intake"
urlpatterns = [
    path("<str:token>/", intake.landing, name="landing"),
    path("<str:token>/step/<slug:step>/", intake.step_view, name="step"),
    path("<str:token>/step/<slug:step>/autosave/", intake.autosave, name="autosave"),
    path("<str:token>/review/", intake.review, name="review"),
    path("<str:token>/submit/", intake.submit, name="submit"),
    path("<str:token>/thanks/", intake.thanks, name="thanks"),
]
