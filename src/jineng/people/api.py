"""The people routers: the registry (api_registry) and bulk import (api_import)."""

from ninja import Router

from jineng.people.api_import import router as import_router
from jineng.people.api_registry import router as registry_router

router = Router()
router.add_router("", registry_router)
router.add_router("", import_router)
