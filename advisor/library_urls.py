"""Library URLs inside a firm (/f/<firm>/library/…, namespace `projects`): price books and
evidence. Ids in paths are primary keys (a price-book version, an evidence entry version), looked
up with the firm in the query; a model of a book is named by `?model=` (ids like gpt-4o)."""

from django.urls import path

from advisor.views import library as views

urlpatterns = [
    path("", views.library, name="library"),
    path(
        "price-books/<int:price_book_id>/",
        views.price_book_detail,
        name="price-book-detail",
    ),
    path(
        "price-books/<int:price_book_id>/activate/",
        views.price_book_activate_view,
        name="price-book-activate",
    ),
    path(
        "price-books/<int:price_book_id>/models/new/",
        views.price_book_model_new,
        name="price-book-model-new",
    ),
    path(
        "price-books/<int:price_book_id>/models/edit/",
        views.price_book_model_edit,
        name="price-book-model-edit",
    ),
    path(
        "price-books/<int:price_book_id>/models/retire/",
        views.price_book_model_retire,
        name="price-book-model-retire",
    ),
    path(
        "price-books/<int:price_book_id>/defaults/",
        views.price_book_defaults,
        name="price-book-defaults",
    ),
    path("evidence/", views.evidence_list, name="library-evidence"),
    path("evidence/new/", views.evidence_new, name="evidence-new"),
    path("evidence/<int:evidence_entry_id>/", views.evidence_detail, name="evidence-detail"),
    path("evidence/<int:evidence_entry_id>/edit/", views.evidence_edit, name="evidence-edit"),
    path(
        "evidence/<int:evidence_entry_id>/retire/",
        views.evidence_retire_view,
        name="evidence-retire",
    ),
    path(
        "evidence/<int:evidence_entry_id>/restore/",
        views.evidence_restore_view,
        name="evidence-restore",
    ),
]
