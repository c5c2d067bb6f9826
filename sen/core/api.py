from ninja import Router

from sen.core.calendar_api import router as calendar_router

router = Router(tags=["core"])
router.add_router("/calendar", calendar_router)
