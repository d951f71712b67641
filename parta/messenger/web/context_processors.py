from django.conf import settings
from django.http import HttpRequest


def layout(request: HttpRequest) -> dict[str, object]:
    return {"journal_url": settings.JOURNAL_URL}
