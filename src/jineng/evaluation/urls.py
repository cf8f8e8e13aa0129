from django.urls import path

from jineng.evaluation import views, views_certificates, views_plans

app_name = "evaluation"

urlpatterns = [
    path("directory/", views.directory_view, name="directory"),
    path("filings/", views.FilingList.as_view(), name="filing_list"),
    path("apply/", views.FilingSubmit.as_view(), name="filing_submit"),
    path("filings/<int:pk>/", views.filing_detail_view, name="filing_detail"),
    path("filings/<int:pk>/resubmit/", views.FilingResubmit.as_view(), name="filing_resubmit"),
    path("filings/<int:pk>/<str:action>/", views.filing_supervise_view,
         name="filing_supervise"),
    path("occupations/options/", views.occupation_options_view, name="occupation_options"),
    *views_plans.urlpatterns,
    *views_certificates.urlpatterns,
]
