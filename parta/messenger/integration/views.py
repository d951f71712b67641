"""Web pages of the integration: the consent screen of linking (A3, L1), «Подключить дневник» (L2), unlinking from
the messenger (L6) and the «Помощник» help page (A5, C8)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from oauth2_provider.views import AuthorizationView

from parta.messenger.accounts import services as account_services
from parta.messenger.accounts.current import current_profile
from parta.messenger.accounts.errors import Refusal
from parta.messenger.accounts.forms import add_refusal
from parta.messenger.accounts.models import Profile
from parta.messenger.integration import selectors
from parta.messenger.integration.errors import IntegrationError
from parta.messenger.integration.forms import ConsentForm
from parta.messenger.integration.models import Journal, PersonLink
from parta.messenger.integration.services.linking import unlink_profile


class ConsentView(AuthorizationView):
    """/o/authorize/: django-oauth-toolkit's authorization endpoint with the messenger's consent screen.

    A visitor goes to the sign-in first (LOGIN_URL with ?next=, the existing session is reused); new profiles are
    made there («Создать учебный профиль»). The screen names the journal, lists what it passes («Передаваемые
    данные»), shows the profile's names to check and «Продолжить», which saves the names and lets the toolkit issue
    the code and send the person back to the journal.
    """

    template_name = "messenger_integration/consent.html"
    form_class = ConsentForm

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = super().get_initial()
        user = self.request.user
        if isinstance(user, Profile):
            initial.update(last_name=user.last_name, first_name=user.first_name, patronymic=user.patronymic)
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        form = context.get("form")
        client_id = (form["client_id"].value() if form is not None else None) or kwargs.get("client_id")
        journal = Journal.objects.filter(application__client_id=client_id).first() if client_id else None
        application = context.get("application")
        context["journal"] = journal
        context["journal_name"] = journal.name if journal else getattr(application, "name", "")
        return context

    def form_valid(self, form: ConsentForm) -> HttpResponse:
        if form.cleaned_data.get("allow"):
            try:
                # Names only checked, as shown, are provisional: the journal's, passed in the link, apply. Names the
                # person corrected here are their choice and stick (nothing a person typed is lost).
                account_services.update_names(
                    profile=current_profile(self.request), **form.names(), chosen_by_person=form.names_corrected()
                )
            except Refusal as refusal:
                add_refusal(form, refusal)
                return self.form_invalid(form)
        response: HttpResponse = super().form_valid(form)
        return response


@require_safe
def connect(request: HttpRequest) -> HttpResponse:
    """«Подключить дневник» (L2): the regions; with ?region=, that region's journals, each leading to its site."""
    region = request.GET.get("region")
    if region is None:
        return render(request, "messenger_integration/connect.html", {"regions": selectors.journals_by_region()})
    journals = selectors.journals_of_region(region)
    if not journals:
        raise Http404
    return render(request, "messenger_integration/connect_region.html", {"region": region, "journals": journals})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def unlink(request: HttpRequest, link_id: int) -> HttpResponse:
    """«Отвязать дневник» (L6): a confirmation page, then the unlinking; the journal learns it by webhook."""
    me = current_profile(request)
    link = PersonLink.objects.select_related("journal").filter(pk=link_id, profile_id=me.pk).first()
    if link is None:
        raise Http404
    if request.method == "POST":
        try:
            unlink_profile(profile=me, link_id=link.pk)
        except IntegrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The journal is unlinked. You can link it again at any time."))
        return redirect("web:accounts:profile")
    return render(request, "messenger_integration/unlink.html", {"link": link})


@require_safe
def helper(request: HttpRequest) -> HttpResponse:
    """«Помощник»: answers to linking questions, the child-on-a-parent's-phone case first (A5, C8)."""
    return render(request, "messenger_integration/help.html")
