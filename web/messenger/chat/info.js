/**
 * The chat's info panel: members with their roles, settings, invite links with QR codes, leaving.
 * Controls follow the chat's `permissions` from the API (C5): a plain member of a closed chat sees no invite or member
 * controls at all; system chats show their settings read-only (the school's roster manages them). The server checks
 * every action again whatever the page shows.
 */
import { api } from "./api.js";
import { confirmDialog, notify } from "./dialogs.js";
import { clear, h, icon } from "./dom.js";
import { fullDateTime, initials } from "./format.js";
import { t, tn } from "./i18n.js";
import { PeoplePicker } from "./people.js";

const EXPIRY_CHOICES = [
  ["", "expiry_never"],
  ["3600", "expiry_hour"],
  ["86400", "expiry_day"],
  ["604800", "expiry_week"],
  ["2592000", "expiry_month"],
];

function section(titleKey, ...children) {
  const id = `chat-info-${titleKey}`;
  return h("section", { class: "chat-info-section", "aria-labelledby": id }, h("h3", { id }, t(titleKey)), ...children);
}

export class InfoPanel {
  constructor(app, view) {
    this.app = app;
    this.view = view;
    this.detail = null;
    this.body = h("div", { class: "chat-info-body" });
    this.element = h(
      "aside",
      { class: "chat-info", id: "chat-info", "aria-labelledby": "chat-info-title", hidden: true },
      h(
        "header",
        { class: "chat-info-header" },
        h("h2", { id: "chat-info-title" }, t("chat_info")),
        h("button", {
          type: "button", class: "chat-icon-button", "aria-label": t("close"), title: t("close"),
          onclick: () => this.close(),
        }, icon("close")),
      ),
      this.body,
    );
    this.element.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !event.target.closest("dialog")) this.close();
    });
  }

  get chat() {
    return this.view.chat;
  }

  isOpen() {
    return !this.element.hidden;
  }

  toggle() {
    if (this.isOpen()) this.close();
    else this.open();
  }

  async open() {
    this.element.hidden = false;
    this.view.element.classList.add("chat-view-with-info");
    await this.load();
    this.element.querySelector("h2")?.setAttribute("tabindex", "-1");
    this.element.querySelector("h2")?.focus();
  }

  close() {
    if (!this.isOpen()) return;
    this.element.hidden = true;
    this.view.element.classList.remove("chat-view-with-info");
  }

  chatUpdated() {
    if (this.isOpen()) this.load();
  }

  async load() {
    try {
      const [detail, invites] = await Promise.all([
        api.getChat(this.chat.id),
        this.chat.permissions.invite ? api.listInvites(this.chat.id) : Promise.resolve([]),
      ]);
      this.detail = detail;
      this.invites = invites;
      this.render();
    } catch (error) {
      clear(this.body).append(h("p", { class: "chat-error", role: "alert" }, error.message));
    }
  }

  render() {
    const d = this.detail;
    const focusedLabel = document.activeElement?.closest?.(".chat-info") ? document.activeElement.textContent : null;
    clear(this.body);
    this.body.append(
      h("div", { class: "chat-info-summary" },
        h("span", { class: "chat-avatar chat-avatar-large", "aria-hidden": "true" }, initials(d.title)),
        h("div", {}, h("p", { class: "chat-info-name" }, d.title),
          h("p", { class: "chat-hint" }, d.is_direct ? t("direct_chat") : tn("member_count", d.member_count)))),
    );
    if (!d.is_direct) this.body.append(this.settings(d));
    if (d.permissions.invite) this.body.append(this.invitesSection());
    this.body.append(this.members(d));
    if (d.permissions.leave) {
      this.body.append(h("div", { class: "chat-info-section" },
        h("button", { type: "button", class: "chat-button-secondary chat-danger-text", onclick: () => this.leave() },
          t("leave_chat"))));
    }
    if (focusedLabel) {
      [...this.body.querySelectorAll("button")].find((b) => b.textContent === focusedLabel)?.focus();
    }
  }

  // Settings --------------------------------------------------------------------------------------------------------

  settings(d) {
    if (d.is_system || !d.permissions.edit_settings) {
      const rows = h("dl", { class: "chat-facts" },
        h("dt", {}, t("chat_name")), h("dd", {}, d.title),
        h("dt", {}, t("closed_chat")), h("dd", {}, d.is_closed ? t("yes") : t("no")),
        h("dt", {}, t("allow_call_recording")), h("dd", {}, d.allow_call_recording ? t("yes") : t("no")));
      return section("settings", rows,
        d.is_system ? h("p", { class: "chat-note" }, t("system_chat_note"))
          : h("p", { class: "chat-hint" }, d.is_closed ? t("closed_chat_hint") : t("open_chat_hint")));
    }
    const name = h("input", {
      id: "chat-settings-name", class: "chat-input", value: d.title, maxlength: "200", required: true,
    });
    const closed = h("input", { type: "checkbox", id: "chat-settings-closed", checked: d.is_closed });
    const recording = h("input", {
      type: "checkbox", id: "chat-settings-recording", checked: Boolean(d.allow_call_recording),
    });
    const error = h("p", { class: "chat-error", role: "alert", hidden: true });
    const form = h(
      "form",
      { class: "chat-form" },
      h("div", { class: "chat-field" }, h("label", { for: "chat-settings-name", class: "chat-label" }, t("chat_name")), name),
      h("div", { class: "chat-check" }, closed, h("label", { for: "chat-settings-closed" }, t("closed_chat"),
        " ", h("span", { class: "chat-recommended" }, t("recommended")))),
      h("p", { class: "chat-hint" }, t("closed_chat_hint")),
      h("div", { class: "chat-check" }, recording,
        h("label", { for: "chat-settings-recording" }, t("allow_call_recording"))),
      h("p", { class: "chat-hint" }, t("allow_call_recording_hint")),
      error,
      h("button", { type: "submit", class: "chat-button" }, t("save")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.hidden = true;
      try {
        await api.updateChat(this.chat.id, {
          title: name.value, is_closed: closed.checked, allow_call_recording: recording.checked,
        });
        notify(t("saved"));
      } catch (failure) {
        error.textContent = failure.message;
        error.hidden = false;
      }
    });
    return section("settings", form);
  }

  // Invites ---------------------------------------------------------------------------------------------------------

  invitesSection() {
    const active = this.invites.filter((invite) => invite.status === "active");
    const list = h("ul", { class: "invite-list" }, active.map((invite) => this.invite(invite)));
    return section("invite_link", active.length ? list : h("p", { class: "chat-hint" }, t("no_invites")),
      this.inviteForm());
  }

  invite(invite) {
    const field = h("input", {
      class: "chat-input invite-url", readonly: true, value: invite.url, "aria-label": t("invite_link"),
      onfocus: (event) => event.target.select(),
    });
    const qr = h("img", { alt: t("qr_alt"), class: "invite-qr", width: "200", height: "200", hidden: true });
    const qrButton = h("button", {
      type: "button", class: "chat-button-secondary", "aria-expanded": "false",
      onclick: async (event) => {
        const button = event.currentTarget;
        if (!qr.src) qr.src = invite.qr_url;
        qr.hidden = !qr.hidden;
        button.setAttribute("aria-expanded", String(!qr.hidden));
      },
    }, t("qr_code"));
    const limits = [];
    if (invite.expires_at) limits.push(t("valid_until", { when: fullDateTime(invite.expires_at) }));
    if (invite.max_uses) limits.push(t("uses_of", { uses: invite.uses, max: invite.max_uses }));
    else limits.push(tn("uses_count", invite.uses));
    return h(
      "li",
      { class: "invite" },
      field,
      h("p", { class: "chat-hint" }, limits.join(" · ")),
      h("div", { class: "chat-actions" },
        h("button", { type: "button", class: "chat-button-secondary", onclick: () => this.copy(invite.url, field) },
          t("copy")),
        qrButton,
        h("button", { type: "button", class: "chat-button-secondary chat-danger-text", onclick: () => this.revoke(invite) },
          t("revoke"))),
      qr,
    );
  }

  async copy(text, field) {
    try {
      await navigator.clipboard.writeText(text);
      notify(t("link_copied"));
    } catch {
      field.focus();
      field.select(); // no clipboard access (an insecure page): the link is selected for copying by hand
      notify(t("copy_by_hand"));
    }
  }

  inviteForm() {
    const expiry = h("select", { id: "invite-expiry", class: "chat-input" },
      EXPIRY_CHOICES.map(([value, key]) => h("option", { value }, t(key))));
    const uses = h("input", {
      id: "invite-uses", class: "chat-input", type: "number", min: "1", max: "100000", inputmode: "numeric",
      placeholder: t("no_limit"),
    });
    const error = h("p", { class: "chat-error", role: "alert", hidden: true });
    const form = h(
      "form",
      { class: "chat-form invite-form" },
      h("div", { class: "chat-field" }, h("label", { for: "invite-expiry", class: "chat-label" }, t("expiry")), expiry),
      h("div", { class: "chat-field" }, h("label", { for: "invite-uses", class: "chat-label" }, t("max_uses")), uses),
      error,
      h("button", { type: "submit", class: "chat-button" }, t("create_invite")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.hidden = true;
      const seconds = Number(expiry.value);
      const data = {
        expires_at: seconds ? new Date(Date.now() + seconds * 1000).toISOString() : null,
        max_uses: uses.value ? Number(uses.value) : null,
      };
      try {
        const invite = await api.createInvite(this.chat.id, data);
        this.invites = [invite, ...this.invites];
        this.render();
        this.body.querySelector(".invite-url")?.focus();
      } catch (failure) {
        error.textContent = failure.message;
        error.hidden = false;
      }
    });
    return form;
  }

  async revoke(invite) {
    const ok = await confirmDialog({
      title: t("revoke_title"), text: t("revoke_text"), confirmLabel: t("revoke"), danger: true,
    });
    if (!ok) return;
    try {
      const revoked = await api.revokeInvite(this.chat.id, invite.id);
      this.invites = this.invites.map((other) => (other.id === revoked.id ? revoked : other));
      this.render();
    } catch (error) {
      notify(error.message, { error: true });
    }
  }

  // Members ---------------------------------------------------------------------------------------------------------

  members(d) {
    const list = h("ul", { class: "member-list" }, d.members.map((member) => this.member(member, d)));
    const parts = [list];
    if (d.permissions.add_members) parts.unshift(this.addMembers(d));
    return section("members", ...parts);
  }

  member(member, d) {
    const me = member.id === this.app.me.id;
    const actions = [];
    if (!me && !d.is_direct) {
      actions.push(h("button", { type: "button", class: "chat-button-secondary", onclick: () => this.write(member) },
        t("write")));
    }
    if (!me && d.permissions.manage_members) {
      const makeAdmin = member.role !== "admin";
      actions.push(h("button", {
        type: "button", class: "chat-button-secondary", onclick: () => this.setRole(member, makeAdmin ? "admin" : "member"),
      }, makeAdmin ? t("make_admin") : t("make_member")));
      actions.push(h("button", {
        type: "button", class: "chat-button-secondary chat-danger-text", onclick: () => this.removeMember(member),
      }, t("remove_member")));
    }
    const details = actions.length
      ? h("details", { class: "member-details" },
        h("summary", { class: "member-name" }, member.name),
        h("div", { class: "chat-actions" }, actions))
      : h("span", { class: "member-name" }, member.name);
    return h(
      "li",
      { class: "member", "data-profile-id": member.id },
      h("span", { class: "chat-avatar", "aria-hidden": "true" }, initials(member.name)),
      h("div", { class: "member-body" }, details,
        h("span", { class: "chat-hint" }, [
          me ? t("you") : null,
          member.role === "admin" ? t("role_admin") : null,
        ].filter(Boolean).join(" · "))),
    );
  }

  addMembers(d) {
    const existing = new Set(d.members.map((member) => member.id));
    const picker = new PeoplePicker({ id: "add-members", exclude: existing });
    const error = h("p", { class: "chat-error", role: "alert", hidden: true });
    const form = h("form", { class: "chat-form" }, picker.element, error,
      h("button", { type: "submit", class: "chat-button" }, t("add_members")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.hidden = true;
      if (!picker.ids().length) {
        error.textContent = t("choose_someone");
        error.hidden = false;
        return;
      }
      try {
        this.detail = await api.addMembers(this.chat.id, picker.ids());
        this.render();
        notify(t("members_added"));
      } catch (failure) {
        error.textContent = failure.message;
        error.hidden = false;
      }
    });
    return h("details", { class: "chat-add-members" }, h("summary", {}, t("add_members")), form);
  }

  async write(member) {
    try {
      const chat = await api.openDirect(member.id);
      delete chat.members; // the list keeps ChatOut; the panel loads members itself
      this.app.upsert(chat);
      this.app.open(chat.id);
    } catch (error) {
      notify(error.message, { error: true });
    }
  }

  async setRole(member, role) {
    try {
      this.detail = await api.setRole(this.chat.id, member.id, role);
      this.render();
    } catch (error) {
      notify(error.message, { error: true });
    }
  }

  async removeMember(member) {
    const ok = await confirmDialog({
      title: t("remove_member_title", { name: member.name }), text: t("remove_member_text"),
      confirmLabel: t("remove_member"), danger: true,
    });
    if (!ok) return;
    try {
      await api.removeMember(this.chat.id, member.id);
      await this.load();
    } catch (error) {
      notify(error.message, { error: true });
    }
  }

  async leave() {
    const ok = await confirmDialog({
      title: t("leave_title"), text: this.chat.is_closed ? t("leave_text_closed") : t("leave_text"),
      confirmLabel: t("leave_chat"), danger: true,
    });
    if (!ok) return;
    try {
      await api.leave(this.chat.id);
      this.app.removeChat(this.chat.id);
    } catch (error) {
      notify(error.message, { error: true });
    }
  }
}
