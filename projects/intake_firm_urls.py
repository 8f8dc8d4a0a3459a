"""Consultant-side intake URLs, inside a firm: /f/<firm>/engagements/<id>/intake/…"""

urlpatterns: list = []
