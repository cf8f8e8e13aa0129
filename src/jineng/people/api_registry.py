from ninja import Router

router = Router(tags=["实名登记"])
