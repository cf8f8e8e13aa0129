from django.urls import path

from jineng.training import views, views_attendance, views_classes, views_enrolment, views_wishes
from jineng.training import views_completion as completion

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
    path("classes/<int:pk>/enrolments/", views_enrolment.class_enrolments_view, name="class_enrolments"),  # noqa: E501
    path("classes/<int:pk>/enrolments/roster/", views_enrolment.class_roster_view, name="class_roster"),  # noqa: E501
    path("enrolments/", views_enrolment.EnrolmentList.as_view(), name="enrolment_list"),
    path("enrolments/<int:pk>/", views_enrolment.enrolment_detail_view, name="enrolment_detail"),
    path("my/classes/", views_enrolment.open_classes_view, name="open_classes"),
    path("my/classes/<int:pk>/enrol/", views_enrolment.self_enrol_view, name="self_enrol"),
    *views_wishes.urlpatterns,
    path("classes/<int:pk>/results/", completion.results_view, name="completion_results"),
    path("classes/<int:pk>/results/import/", completion.ResultsImport.as_view(),
         name="completion_import"),
    path("classes/<int:pk>/complete/", completion.complete_view, name="completion_submit"),
    path("online-hours/", completion.OnlineHoursList.as_view(), name="online_hours_list"),
    path("ratings/", completion.RatingList.as_view(), name="rating_list"),
    path("ratings/flagged/", completion.flagged_view, name="rating_flagged"),
    path("ratings/mine/", completion.my_ratings_view, name="rating_mine"),
    path("ratings/<int:pk>/", completion.rating_detail_view, name="rating_detail"),
    path("enrolments/<int:pk>/rate/", completion.RateClass.as_view(), name="rating_form"),
    *views_attendance.urlpatterns,
]
urlpatterns += views_classes.urlpatterns
