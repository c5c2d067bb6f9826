from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, object]:
    from django.conf import settings

    return {"nav_items": [], "province_name": settings.SEN_PROVINCE_NAME}
