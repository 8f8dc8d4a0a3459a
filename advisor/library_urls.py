"""Library URLs inside a firm (/f/<firm>/library/…): price books and evidence."""

urlpatterns: list = []
