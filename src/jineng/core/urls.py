from django.urls import path

from jineng.core import views_audit, views_reference, views_review

app_name = "core"

urlpatterns = [
    path("reference/", views_reference.reference_view, name="reference"),
    path("audit/", views_audit.AuditEventList.as_view(), name="audit_list"),
    path("reviews/", views_review.review_queue_view, name="review_queue"),
    path("reviews/<int:pk>/", views_review.review_detail_view, name="review_detail"),
    path("reviews/chains/", views_review.review_chain_list_view, name="review_chains"),
    path("reviews/chains/<str:kind>/", views_review.review_chain_edit_view,
         name="review_chain_edit"),
]
