from django.urls import path

from jineng.core import views_audit

app_name = "core"

urlpatterns = [
    path("audit/", views_audit.AuditEventList.as_view(), name="audit_list"),
]
