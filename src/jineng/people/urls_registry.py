from django.urls import path

from jineng.people import views

urlpatterns = [
    path("", views.PersonList.as_view(), name="person_list"),
    path("new/", views.PersonCreate.as_view(), name="person_create"),
    path("me/", views.my_archive_view, name="my_archive"),
    path("lookup/", views.person_lookup_view, name="person_lookup"),
    path("<int:pk>/", views.person_detail_view, name="person_detail"),
    path("<int:pk>/edit/", views.PersonEdit.as_view(), name="person_edit"),
    path("<int:pk>/reveal/", views.person_reveal_view, name="person_reveal"),
    path("target-groups/", views.TargetGroupList.as_view(), name="targetgroup_list"),
    path("target-groups/new/", views.TargetGroupCreate.as_view(), name="targetgroup_create"),
    path("target-groups/<int:key>/", views.TargetGroupEdit.as_view(), name="targetgroup_edit"),
]
