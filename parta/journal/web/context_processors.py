from django.conf import settings
from django.http import HttpRequest

from parta.journal.school.selectors import roles_for_request


def layout(request: HttpRequest) -> dict[str, object]:
    """What the header needs: the person's roles (for the navigation) and the messenger's address."""
    return {"roles": roles_for_request(request), "messenger_url": settings.MESSENGER_URL}
