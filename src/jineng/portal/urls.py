"""Public pages (no login), mounted at the site root."""

from django.urls import path

from jineng.portal import views

app_name = "portal"

urlpatterns = [
    path("catalogue/", views.catalogue_view, name="catalogue"),
]
