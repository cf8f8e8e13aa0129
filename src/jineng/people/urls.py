from jineng.people.urls_import import urlpatterns as import_urls
from jineng.people.urls_registry import urlpatterns as registry_urls

app_name = "people"

urlpatterns = registry_urls + import_urls
