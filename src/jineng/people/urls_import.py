from django.urls import path

from jineng.people import views_import as views

urlpatterns = [
    path("imports/", views.import_list_view, name="import_list"),
    path("imports/new/", views.import_create_view, name="import_create"),
    path("imports/template.xlsx", views.import_template_view, name="import_template"),
    path("imports/<int:pk>/", views.import_detail_view, name="import_detail"),
    path("imports/<int:pk>/report.xlsx", views.import_report_view, name="import_report"),
]
