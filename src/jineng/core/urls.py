from django.urls import path

from jineng.core import views_audit, views_reference

app_name = "core"

urlpatterns = [
    path("reference/", views_reference.reference_view, name="reference"),
    path("audit/", views_audit.AuditEventList.as_view(), name="audit_list"),
]
