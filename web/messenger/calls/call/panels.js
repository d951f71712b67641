/**
 * The room's side panels and dialogs: «Участники» (the people and the hands queue, with the organizer's buttons),
 * the call's chat, the settings, the organizer's «Разрешения» dialog and «Завершить для всех»; the layout switch and
 * «Свернуть» (the call in a small window in the corner).
 */
import { callsApi } from "../api.js";
import { t } from "../i18n.js";
import { PeoplePanel } from "../people.js";
import { $, confirm, toast } from "./dom.js";

/**
 * @typedef {import("./state.js").CallSession} CallSession
 * @typedef {import("./state.js").CallState} CallState
 * @typedef {import("../stage.js").Stage} Stage
 */

const PANEL_BUTTONS = ["call-open-chat", "call-open-participants", "call-settings", "call-board-settings"];
const PHONE = "(max-width: 48rem)";

export class Panels {
  /**
   * @param {HTMLElement} root  #call-app
   * @param {CallSession} session
   * @param {Stage} stage
   * @param {{chat_url: string | null}} boot
   */
  constructor(root, session, stage, boot) {
    this.root = root;
    this.session = session;
    this.stage = stage;
    this.boot = boot;
    const id = session.id;
    this.people = new PeoplePanel($("call-people"), $("call-hands"), {
      lowerHand: (person) => session.act(() => callsApi.lowerHand(id, person.id)),
      mute: (person, what) => session.act(() => callsApi.mute(id, person.id, what)),
      allow: (person, what) =>
        session.act(() => callsApi.permissions(id, { participant_id: person.id, [what]: !person.may?.[what] })),
      allowRecording: (person) =>
        session.act(() => callsApi.permissions(id, { participant_id: person.id, may_record: !person.may_record })),
      remove: async (person) => {
        if (await confirm(t("remove_confirm", { name: person.name }), t("remove_ok"))) {
          session.act(() => callsApi.remove(id, person.id));
        }
      },
    });
  }

  /** @param {CallState} state */
  render(state) {
    this.people.render(state);
  }

  /** @param {string} panelId @param {string} buttonId */
  toggle(panelId, buttonId) {
    const panel = $(panelId);
    const open = panel.hidden;
    for (const other of this.root.querySelectorAll(".call-panel")) /** @type {HTMLElement} */ (other).hidden = true;
    for (const id of PANEL_BUTTONS) $(id)?.setAttribute("aria-expanded", "false");
    panel.hidden = !open;
    $("call-side").hidden = !open;
    $(buttonId)?.setAttribute("aria-expanded", String(open));
    if (open && panelId === "call-chat-panel") this.loadChat();
    if (open) panel.querySelector("button, a, select, iframe")?.focus();
  }

  close() {
    for (const panel of this.root.querySelectorAll(".call-panel")) /** @type {HTMLElement} */ (panel).hidden = true;
    $("call-side").hidden = true;
    for (const id of PANEL_BUTTONS) $(id)?.setAttribute("aria-expanded", "false");
  }

  loadChat() {
    const url = this.session.state?.chat_url ?? this.boot.chat_url;
    if (!url) return;
    const frame = $("call-chat-frame");
    if (!frame.getAttribute("src")) frame.src = `${url}?embed=1`;
    $("call-chat-newtab").href = url;
  }

  toggleLayout() {
    const layout = this.root.dataset.layout === "grid" ? "speaker" : "grid";
    this.root.dataset.layout = layout;
    this.stage.setLayout(layout);
    $("call-layout-label").textContent = layout === "grid" ? t("layout_grid") : t("layout_speaker");
  }

  /** «Свернуть»: the call shrinks to a small window in the corner; the chat (for members) takes the page.
   * @param {boolean} on */
  minimize(on) {
    this.root.dataset.minimized = String(on);
    $("call-minimized-bar").hidden = !on;
    if (on && this.boot.chat_url && $("call-chat-panel").hidden) this.toggle("call-chat-panel", "call-open-chat");
    if (on) $("call-expand").focus();
    else $("call-minimize").focus();
  }

  // Organizer -------------------------------------------------------------------------------------------------------

  openPermissions() {
    const state = this.session.state;
    const everyone = state?.everyone ?? {};
    $("call-perm-screen").checked = Boolean(everyone.screen);
    $("call-perm-microphone").checked = Boolean(everyone.microphone);
    $("call-perm-camera").checked = Boolean(everyone.camera);
    $("call-perm-guests").checked = Boolean(state?.allow_anonymous);
    $("call-permissions").showModal();
  }

  async savePermissions() {
    if ($("call-permissions").returnValue !== "save") return;
    const id = this.session.id;
    const wanted = {
      screen: $("call-perm-screen").checked,
      microphone: $("call-perm-microphone").checked,
      camera: $("call-perm-camera").checked,
    };
    await this.session.act(() => callsApi.permissions(id, wanted));
    const guests = $("call-perm-guests").checked;
    if (guests !== Boolean(this.session.state?.allow_anonymous)) {
      await this.session.act(() => callsApi.settings(id, { allow_anonymous: guests }));
    }
    toast(t("saved"));
  }

  async endForEveryone() {
    if (await confirm(t("end_confirm"), t("end_ok"))) await this.session.act(() => callsApi.end(this.session.id));
  }

  /** @param {(id: string, type: string, handler: (event: any) => void) => void} on */
  bind(on) {
    on("call-open-chat", "click", () => {
      if (matchMedia(PHONE).matches && !this.boot.chat_url) return;
      this.toggle("call-chat-panel", "call-open-chat");
    });
    on("call-open-participants", "click", () => this.toggle("call-participants", "call-open-participants"));
    on("call-settings", "click", () => this.toggle("call-settings-panel", "call-settings"));
    on("call-layout", "click", () => this.toggleLayout());
    on("call-minimize", "click", () => this.minimize(true));
    on("call-expand", "click", () => this.minimize(false));
    on("call-end", "click", () => this.endForEveryone());
    on("call-permissions-open", "click", () => this.openPermissions());
    on("call-permissions", "close", () => this.savePermissions());
    for (const button of this.root.querySelectorAll("[data-close-panel]")) {
      button.addEventListener("click", () => this.close());
    }
    this.root.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !$("call-side").hidden) this.close();
    });
  }
}
