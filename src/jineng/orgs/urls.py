from django.urls import path

from jineng.orgs import views

app_name = "orgs"

urlpatterns = [
    path("regions/", views.RegionList.as_view(), name="region_list"),
    path("regions/options/", views.region_options_view, name="region_options"),
    path("regions/new/", views.RegionCreate.as_view(), name="region_create"),
    path("regions/<str:key>/", views.RegionEdit.as_view(), name="region_edit"),
    path("departments/", views.DepartmentList.as_view(), name="department_list"),
    path("departments/new/", views.DepartmentCreate.as_view(), name="department_create"),
    path("departments/<int:key>/", views.DepartmentEdit.as_view(), name="department_edit"),
    path("institutions/", views.InstitutionList.as_view(), name="institution_list"),
    path("institutions/new/", views.InstitutionCreate.as_view(), name="institution_create"),
    path("institutions/<int:key>/", views.InstitutionEdit.as_view(), name="institution_edit"),
    path("users/", views.UserList.as_view(), name="user_list"),
    path("users/new/", views.UserCreate.as_view(), name="user_create"),
    path("users/<int:key>/", views.UserEdit.as_view(), name="user_edit"),
    path("users/<int:pk>/tokens/", views.token_list_view, name="user_tokens"),
    path("users/<int:pk>/unlock/", views.user_unlock_view, name="user_unlock"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("roles/", views.RoleList.as_view(), name="role_list"),
    path("roles/new/", views.RoleCreate.as_view(), name="role_create"),
    path("roles/<int:key>/", views.RoleEdit.as_view(), name="role_edit"),
    path("security/", views.SecurityPolicyEdit.as_view(), name="security_policy"),
]
