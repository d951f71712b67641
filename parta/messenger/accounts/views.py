"""Web pages of sign-in (A1–A3), the profile and its devices (A6), the legal pages and the development inbox."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from parta.messenger.accounts import flow, selectors, services
from parta.messenger.accounts.contacts import Contact
from parta.messenger.accounts.current import current_profile
from parta.messenger.accounts.errors import Refusal
from parta.messenger.accounts.forms import CodeForm, ContactForm, NamesForm, add_refusal
from parta.messenger.accounts.models import ContactKind

SIGN_IN_TEMPLATE = "messenger_web/home.html"  # the signed-out home page is the sign-in screen


def render_sign_in(request: HttpRequest, form: ContactForm | None = None, *, status: int = 200) -> HttpResponse:
    """Step 1, "Phone or e-mail". A second visit (the "change number" link) shows what was typed before."""
    if form is None:
        current = flow.load(request)
        initial = {"next": request.GET.get("next", "")}
        if current is not None:
            initial["contact"] = current.contact.display
        form = ContactForm(initial=initial)
    typed = str(form["contact"].value() or "")
    context = {
        "form": form,
        "ask_birth_date": "@" in typed or bool(form["birth_date"].errors),
        "email_max_age": settings.ACCOUNTS_EMAIL_MAX_AGE,
    }
    return render(request, SIGN_IN_TEMPLATE, context, status=status)


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.POST)
    if not form.is_valid():  # only a malformed date can fail here; the rest is the flow's to judge
        return render_sign_in(request, form, status=400)
    try:
        flow.start(
            request,
            raw_contact=form.cleaned_data["contact"],
            birth_date=form.cleaned_data["birth_date"],
            next_url=form.cleaned_data["next"],
        )
    except Refusal as refusal:
        add_refusal(form, refusal)
        return render_sign_in(request, form, status=refusal.status)
    return redirect("web:accounts:code")


@require_http_methods(["GET", "HEAD", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    """Step 2: the 6-digit code, with "send again" after a visible countdown and "change number"."""
    current = flow.load(request)
    if current is None:
        return redirect("web:home")
    if current.verified:
        return redirect("web:accounts:new_profile")
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            outcome = flow.verify(request, code=form.cleaned_data["code"])
        except Refusal as refusal:
            add_refusal(form, refusal)
            status = refusal.status
        else:
            if outcome.profile is None:
                return redirect("web:accounts:new_profile")
            return HttpResponseRedirect(outcome.next_url)
    return _render_code(request, current, form, status=status)


def _render_code(request: HttpRequest, current: flow.SignInFlow, form: CodeForm, *, status: int) -> HttpResponse:
    wait = selectors.seconds_until_resend(identifier=current.identifier)
    context = {
        "form": form,
        "contact": current.contact.display,
        "by_email": current.kind == ContactKind.EMAIL,
        "resend_wait": wait,
        "resend_wait_text": f"{wait // 60}:{wait % 60:02d}",
        "code_minutes": settings.ACCOUNTS_CODE_TTL_SECONDS // 60,
        "dev_inbox": settings.DEBUG,
    }
    return render(request, "accounts/code.html", context, status=status)


@require_POST
def resend(request: HttpRequest) -> HttpResponse:
    current = flow.load(request)
    if current is None:
        return redirect("web:home")
    try:
        flow.resend(request)
    except Refusal as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("A new code has been sent. The previous one no longer works."))
    return redirect("web:accounts:code")


@require_http_methods(["GET", "HEAD", "POST"])
def new_profile(request: HttpRequest) -> HttpResponse:
    """Step 3, only for a contact nobody has yet and only after its code: surname, given name, patronymic."""
    current = flow.load(request)
    if current is None or not current.verified:
        return redirect("web:home")
    form = NamesForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            outcome = flow.create_profile(request, **form.cleaned_data)
        except Refusal as refusal:
            if refusal.code == "signup_expired":
                flow.clear(request)
                messages.error(request, refusal.message)
                return redirect("web:home")
            add_refusal(form, refusal)
            status = refusal.status
        else:
            return HttpResponseRedirect(outcome.next_url)
    return render(request, "accounts/new_profile.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The profile: names (editable), contact (read-only), roles, signed-in devices, sign-out."""
    me = current_profile(request)
    initial = {"last_name": me.last_name, "first_name": me.first_name, "patronymic": me.patronymic}
    form = NamesForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.update_names(profile=me, **form.cleaned_data, chosen_by_person=True)
        except Refusal as refusal:
            add_refusal(form, refusal)
            status = refusal.status
        else:
            messages.success(request, _("Saved."))
            return redirect("web:accounts:profile")
    context = {
        "me": me,
        "contact": Contact(kind=me.contact_kind, identifier=me.identifier).display,
        "form": form,
        "devices": selectors.list_devices(profile=me, current_session_key=request.session.session_key),
    }
    return render(request, "accounts/profile.html", context, status=status)


@login_required
@require_POST
def end_device(request: HttpRequest, device_id: int) -> HttpResponse:
    try:
        services.end_device(
            profile=current_profile(request), device_id=device_id, current_session_key=request.session.session_key or ""
        )
    except Refusal as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The session on that device has been ended."))
    return redirect("web:accounts:profile")


@login_required
@require_POST
def end_other_devices(request: HttpRequest) -> HttpResponse:
    ended = services.end_other_devices(
        profile=current_profile(request), current_session_key=request.session.session_key or ""
    )
    if ended:
        messages.success(request, _("You have been signed out on all other devices."))
    else:
        messages.info(request, _("There were no other devices."))
    return redirect("web:accounts:profile")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)  # the user_logged_out receiver deletes this device's row
    return redirect("web:home")


@require_safe
def terms(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/terms.html")


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/privacy.html")


@require_safe
def dev_inbox(request: HttpRequest) -> HttpResponse:
    """Codes the development gateways "sent", newest first. Exists only while debugging."""
    if not settings.DEBUG:
        raise Http404
    return render(request, "accounts/dev_inbox.html", {"inbox": selectors.recent_dev_messages()})


def home_for(request: HttpRequest) -> HttpResponse:
    """The home page: the sign-in screen for a visitor, the chats (or `next`) for a signed-in profile."""
    if request.user.is_authenticated:
        return HttpResponseRedirect(flow.safe_next(request, request.GET.get("next")))
    return render_sign_in(request)
