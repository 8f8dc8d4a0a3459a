"""Founder-facing intake URLs (/intake/…): no account, the link's token is the key."""

app_name = "intake"
urlpatterns: list = []
