from django.urls import path

from jineng.catalog import views

app_name = "catalog"

urlpatterns = [
    path("occupations/", views.OccupationList.as_view(), name="occupation_list"),
    path("work-types/", views.WorkTypeList.as_view(), name="work_type_list"),
    path("work-types/new/", views.WorkTypeCreate.as_view(), name="work_type_create"),
    path("work-types/<int:pk>/edit/", views.WorkTypeEdit.as_view(), name="work_type_edit"),
    path("levels/", views.LevelList.as_view(), name="level_list"),
    path("policies/", views.PolicyList.as_view(), name="policy_list"),
    path("in-force/", views.policy_in_force_view, name="policy_in_force"),
    path("policies/new/", views.PolicyPublish.as_view(), name="policy_create"),
    path("policies/<int:pk>/", views.policy_detail_view, name="policy_detail"),
    path("policies/<int:pk>/revise/", views.PolicyRevise.as_view(), name="policy_revise"),
    path("catalogue/upload/", views.CatalogueUpload.as_view(), name="catalogue_upload"),
    path("documents/", views.DocumentList.as_view(), name="document_list"),
    path("documents/new/", views.DocumentCreate.as_view(), name="document_create"),
    path("programmes/", views.ProgrammeList.as_view(), name="programme_list"),
    path("programmes/new/", views.ProgrammeCreate.as_view(), name="programme_create"),
    path("programmes/<int:pk>/", views.programme_detail_view, name="programme_detail"),
    path("programmes/<int:pk>/edit/", views.ProgrammeEdit.as_view(), name="programme_edit"),
    path("budgets/", views.BudgetList.as_view(), name="budget_list"),
    path("budgets/set/", views.BudgetSet.as_view(), name="budget_set"),
]
