from django.urls import path

from jineng.training import views, views_attendance

app_name = "training"

urlpatterns = [
    path("directory/", views.directory_view, name="directory"),
    path("designations/", views.DesignationList.as_view(), name="designation_list"),
    path("designations/apply/", views.DesignationApply.as_view(), name="designation_apply"),
    path("designations/<int:pk>/", views.designation_detail_view, name="designation_detail"),
    path("designations/<int:pk>/resubmit/", views.DesignationResubmit.as_view(),
         name="designation_resubmit"),
    path("designations/<int:pk>/<str:action>/", views.designation_supervise_view,
         name="designation_supervise"),
    path("teachers/", views.TeacherList.as_view(), name="teacher_list"),
    path("teachers/new/", views.TeacherRegister.as_view(), name="teacher_register"),
    path("teachers/<int:pk>/", views.teacher_detail_view, name="teacher_detail"),
    path("engagements/", views.EngagementList.as_view(), name="engagement_list"),
    path("engagements/new/", views.EngagementAdd.as_view(), name="engagement_add"),
    path("school-reports/", views.school_report_list_view, name="school_report_list"),
    path("school-reports/set/", views.SchoolReportSet.as_view(), name="school_report_set"),
    *views_attendance.urlpatterns,
]
