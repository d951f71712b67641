/**
 * One open chat: its header, the history (paged as one scrolls up, grouped by day, own messages on the right),
 * the composer with its outbox, typing and read marks. ChatApp feeds it the live events of this chat.
 *
 * Sending: each message gets a client id (crypto.randomUUID) before the first try and keeps it for every retry,
 * so the server stores it once whatever happens to the answers. Until the server confirms, the message is shown as
 * pending and its text waits in the outbox in localStorage; after a reload the outbox is sent again.
 */
import { api } from "./api.js";
import { Composer } from "./composer.js";
import { confirmDialog, notify, showImage } from "./dialogs.js";
import { h, icon } from "./dom.js";
import { dayKey, dayLabel } from "./format.js";
import { t, tn } from "./i18n.js";
import { InfoPanel } from "./info.js";
import { messageElement } from "./messages.js";
import { newClientId } from "./storage.js";

const GROUP_GAP = 5 * 60 * 1000; // ms: a message this close to the previous one of the same author joins its group
const NEAR_BOTTOM = 120; // px: closer than this to the end, new messages scroll into view
const READ_DELAY = 400; // ms: read marks are sent at most this often
const TYPING_SHOWN = 4000; // ms: «печатает…» stays this long after the last typing frame (one comes every 2 s)
const RETRY_DELAYS = [1000, 3000, 10000]; // ms: automatic resends of a message that got no answer

export class ChatView {
  constructor(app, chat) {
    this.app = app;
    this.chat = chat;
    this.me = app.me;
    this.messages = new Map(); // id → MessageOut
    this.pending = new Map(); // clientId → pending item
    this.hasMore = true;
    this.loadingOlder = false;
    this.readSent = chat.last_read_seq ?? 0;
    this.typing = new Map(); // profile id → {name, timer}
    this.element = this.build();
    this.composer = new Composer({
      chatId: chat.id,
      storage: app.storage,
      onSubmit: (item) => this.send(item),
      onEdit: (message, text) => this.edit(message, text),
      onTyping: () => app.live.sendTyping(chat.id),
    });
    this.footer.append(this.composer.element);
    this.info = new InfoPanel(app, this);
    this.element.append(this.info.element);
  }

  build() {
    this.title = h("h2", { class: "chat-title", id: "chat-title" }, this.chat.title);
    this.subtitle = h("p", { class: "chat-subtitle", "aria-live": "polite" });
    this.header = h(
      "header",
      { class: "chat-header" },
      h("a", {
        href: "/chats/",
        class: "chat-icon-button chat-back",
        "aria-label": t("back_to_chats"),
        title: t("back_to_chats"),
        onclick: (event) => {
          event.preventDefault();
          this.app.close();
        },
      }, icon("back")),
      h("div", { class: "chat-heading" }, this.title, this.subtitle),
      h("button", {
        type: "button",
        class: "chat-icon-button chat-call",
        id: "chat-start-call",
        "aria-label": t("start_call"),
        title: t("start_call"),
        onclick: () => this.startCall(),
      }, icon("phone")),
      h("button", {
        type: "button",
        class: "chat-icon-button",
        "aria-label": t("chat_info"),
        title: t("chat_info"),
        "aria-controls": "chat-info",
        onclick: () => this.info.toggle(),
      }, icon("info")),
    );
    this.topSentinel = h("div", { class: "chat-history-top" });
    this.log = h("div", { class: "chat-log", role: "log", "aria-labelledby": "chat-title", "aria-live": "polite" });
    this.jumpButton = h("button", {
      type: "button",
      class: "chat-jump",
      hidden: true,
      onclick: () => {
        this.scrollToBottom();
        this.jumpButton.hidden = true;
      },
    }, t("new_messages_below"));
    this.scroller = h("div", { class: "chat-scroll", tabindex: "0", "aria-label": t("messages") },
      this.topSentinel, this.log, this.jumpButton);
    this.scroller.addEventListener("scroll", () => {
      if (this.nearBottom()) this.jumpButton.hidden = true;
      this.scheduleRead();
    }, { passive: true });
    this.footer = h("div", { class: "chat-footer" });
    // «Идёт звонок · Войти» while the chat has a live call (docs/calls.md).
    this.callLink = h("a", { class: "chat-call-join", href: "#" }, t("call_join"));
    this.callBanner = h("p", { class: "chat-call-banner", id: "chat-call-banner", role: "status", hidden: true },
      h("span", {}, t("call_live")), " · ", this.callLink);
    this.renderHeader();
    return h("section", { class: "chat-view", "aria-labelledby": "chat-title", "data-chat-id": this.chat.id },
      this.header, this.callBanner, this.scroller, this.footer);
  }

  /** Call once the view is in the page: scrolling to the newest message needs its layout. */
  /** @param {{messages: any[], has_more: boolean} | null} [initial] the first page, when the server sent it */
  async start(initial = null) {
    this.refreshCall();
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) this.loadOlder();
    }, { root: this.scroller, rootMargin: "300px 0px 0px 0px" });
    if (initial) {
      this.addPage(initial.messages, initial.has_more);
    } else {
      this.topSentinel.textContent = t("loading");
      try {
        const page = await api.messages(this.chat.id);
        this.addPage(page.messages, page.has_more);
      } catch (error) {
        this.topSentinel.textContent = error.message;
        return;
      }
    }
    this.scrollToBottom();
    this.resendOutbox();
    this.observer.observe(this.topSentinel);
    this.visibility = () => this.scheduleRead();
    document.addEventListener("visibilitychange", this.visibility);
    this.online = () => this.retryFailed(); // the browser says the network is back: what failed for want of it goes
    window.addEventListener("online", this.online);
    this.scheduleRead();
    if (!matchMedia("(pointer: coarse)").matches) this.composer.focus(); // no keyboard popping up on phones
  }

  destroy() {
    this.observer?.disconnect();
    document.removeEventListener("visibilitychange", /** @type {EventListener} */ (this.visibility));
    window.removeEventListener("online", /** @type {EventListener} */ (this.online));
    clearTimeout(this.readTimer);
    for (const { timer } of this.typing.values()) clearTimeout(timer);
    this.destroyed = true;
  }

  // Header ----------------------------------------------------------------------------------------------------------

  renderHeader() {
    this.title.textContent = this.chat.title;
    const names = [...this.typing.values()].map((entry) => entry.name);
    if (names.length) {
      this.subtitle.textContent = this.chat.is_direct ? t("typing_short") : t("typing_named", { names: names.join(", ") });
      this.subtitle.classList.add("chat-typing");
      return;
    }
    this.subtitle.classList.remove("chat-typing");
    this.subtitle.textContent = this.chat.is_direct ? "" : tn("member_count", this.chat.member_count);
  }

  showTyping({ profileId, name }) {
    const entry = this.typing.get(profileId);
    if (entry) clearTimeout(entry.timer);
    const timer = setTimeout(() => {
      this.typing.delete(profileId);
      this.renderHeader();
    }, TYPING_SHOWN);
    this.typing.set(profileId, { name, timer });
    this.renderHeader();
  }

  stopTyping(profileId) {
    const entry = this.typing.get(profileId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.typing.delete(profileId);
    this.renderHeader();
  }

  // Calls -----------------------------------------------------------------------------------------------------------

  /** «Позвонить»: the chat's live call, or a new one (POST /api/v1/calls/), then its page. */
  async startCall() {
    if (this.startingCall) return;
    this.startingCall = true;
    try {
      const call = await api.startCall(this.chat.id);
      location.assign(call.url);
    } catch (error) {
      notify(error.message, { error: true });
    } finally {
      this.startingCall = false;
    }
  }

  /** Shows or hides «Идёт звонок · Войти» (on opening the chat, and on "call.started" / "call.ended"). */
  async refreshCall() {
    let call = null;
    try {
      call = await api.liveCall(this.chat.id);
    } catch {
      // null (204) is no live call; an error (calls are off, the network) also leaves nothing to join
    }
    if (this.destroyed) return;
    this.callBanner.hidden = !call || call.status !== "live";
    if (call) this.callLink.href = call.url;
  }

  chatUpdated(chat) {
    this.chat = chat;
    this.renderHeader();
    this.info.chatUpdated();
  }

  // History ---------------------------------------------------------------------------------------------------------

  addPage(messages, hasMore) {
    for (const message of messages) this.put(message);
    this.hasMore = hasMore;
    this.topSentinel.replaceChildren(h("p", {}, hasMore ? t("loading") : t("history_start")));
    if (!hasMore && this.chat.member_count === 1 && this.chat.permissions.invite) {
      // A new chat with nobody in it yet: the way to invite, right where one looks.
      this.topSentinel.append(h("p", {}, h("button", {
        type: "button", class: "chat-button-secondary", onclick: () => this.info.open(),
      }, t("invite_people"))));
    }
    this.arrange();
  }

  async loadOlder() {
    if (!this.hasMore || this.loadingOlder || this.destroyed) return;
    const oldest = this.oldestSeq();
    if (oldest === null) return;
    this.loadingOlder = true;
    try {
      const page = await api.messages(this.chat.id, { before: oldest });
      const before = this.scroller.scrollHeight - this.scroller.scrollTop;
      this.log.setAttribute("aria-busy", "true"); // older history is not news: screen readers need not read it out
      this.addPage(page.messages, page.has_more);
      this.log.removeAttribute("aria-busy");
      this.scroller.scrollTop = this.scroller.scrollHeight - before; // the message one was reading stays put
    } catch (error) {
      this.topSentinel.textContent = error.message;
    } finally {
      this.loadingOlder = false;
    }
    if (this.hasMore && this.topSentinel.getBoundingClientRect().bottom > this.scroller.getBoundingClientRect().top) {
      setTimeout(() => this.loadOlder(), 50); // the page did not fill the screen: the next one
    }
  }

  oldestSeq() {
    let oldest = null;
    for (const message of this.messages.values()) if (oldest === null || message.seq < oldest) oldest = message.seq;
    return oldest;
  }

  newestSeq() {
    let newest = 0;
    for (const message of this.messages.values()) newest = Math.max(newest, message.seq);
    return newest;
  }

  /** Adds or replaces a message's element at its place by seq (pending ones stay last). */
  put(message) {
    this.messages.set(message.id, message);
    const element = this.render(message);
    const existing = document.getElementById(`msg-${message.id}`);
    if (existing) {
      existing.replaceWith(element);
      return;
    }
    const later = [...this.log.querySelectorAll("article.msg[data-seq]")].find(
      (other) => Number(other.dataset.seq) > message.seq,
    );
    const firstPending = this.log.querySelector("article.msg:not([data-seq])");
    this.log.insertBefore(element, later ?? firstPending ?? null);
  }

  render(message) {
    return messageElement(message, {
      me: this.me,
      showAuthor: !this.chat.is_direct,
      handlers: {
        onJump: (reply) => this.jumpTo(reply),
        onPhoto: (attachment) => showImage(attachment),
        onMenu: (msg, button) => this.menu(msg, button),
        onRetry: (item) => this.deliver(item),
        onDiscard: (item) => this.discard(item),
      },
    });
  }

  /** Day separators and author groups, after any insertion: only separators are added or removed here. */
  arrange() {
    let previous = null;
    for (const child of [...this.log.children]) {
      if (child.classList.contains("chat-day")) {
        child.remove();
        continue;
      }
      const message = this.messageOf(child);
      const created = message?.created_at ?? message?.createdAt;
      if (!created) continue;
      const day = dayKey(created);
      if (!previous || previous.day !== day) {
        this.log.insertBefore(h("div", { class: "chat-day", role: "separator" }, h("span", {}, dayLabel(created))), child);
      }
      const sender = child.dataset.sender;
      const continues = previous && previous.day === day && previous.sender === sender
        && new Date(created).getTime() - new Date(previous.created).getTime() < GROUP_GAP;
      child.classList.toggle("msg-continued", Boolean(continues));
      previous = { day, sender, created };
    }
  }

  messageOf(element) {
    if (element.dataset.id) return this.messages.get(Number(element.dataset.id));
    return this.pending.get(element.dataset.clientId);
  }

  nearBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM;
  }

  scrollToBottom() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  async jumpTo(reply) {
    let target = document.getElementById(`msg-${reply.id}`);
    for (let pages = 0; !target && this.hasMore && pages < 20; pages += 1) {
      await this.loadOlderNow();
      target = document.getElementById(`msg-${reply.id}`);
    }
    if (!target) {
      notify(t("message_not_loaded"), { error: true });
      return;
    }
    target.scrollIntoView({ block: "center", behavior: "smooth" });
    target.classList.add("msg-highlight");
    target.focus({ preventScroll: true });
    setTimeout(() => target.classList.remove("msg-highlight"), 2000);
  }

  async loadOlderNow() {
    while (this.loadingOlder) await new Promise((resolve) => setTimeout(resolve, 50));
    await this.loadOlder();
  }

  // Live events -----------------------------------------------------------------------------------------------------

  /** A message that arrived live (or the answer to one's own send). */
  received(message) {
    const stick = this.nearBottom() || message.sender?.id === this.me.id;
    const pendingItem = this.pending.get(message.client_id);
    if (pendingItem && message.sender?.id === this.me.id) this.confirmPending(pendingItem, message);
    else this.put(message);
    if (message.sender) this.stopTyping(message.sender.id);
    this.arrange();
    if (stick) this.scrollToBottom();
    else this.jumpButton.hidden = false; // one is reading older messages: say that new ones came, do not pull away
    this.scheduleRead();
  }

  edited(message) {
    if (!this.messages.has(message.id)) return; // not loaded: it shows up right when its page is loaded
    this.put(message);
    this.arrange();
  }

  deleted({ message_id: id }) {
    const message = this.messages.get(id);
    if (!message) return;
    this.put({ ...message, is_deleted: true, text: "", html: "", attachments: [], deleted_at: new Date().toISOString() });
    this.arrange();
  }

  /** After a reconnect that could not replay everything: fetch what came after the newest message shown. */
  async catchUp() {
    let after = this.newestSeq();
    for (let more = true; more && !this.destroyed;) {
      const page = await api.messages(this.chat.id, { after });
      for (const message of page.messages) this.received(message);
      more = page.has_more && page.messages.length > 0;
      after = this.newestSeq();
    }
  }

  // Reading ---------------------------------------------------------------------------------------------------------

  scheduleRead() {
    clearTimeout(this.readTimer);
    this.readTimer = setTimeout(() => this.markRead(), READ_DELAY);
  }

  /** The newest message the reader can see now: its top edge is above the bottom of the history. */
  lastVisibleSeq() {
    const bottom = this.scroller.getBoundingClientRect().bottom;
    const shown = [...this.log.querySelectorAll("article.msg[data-seq]")];
    for (let i = shown.length - 1; i >= 0; i -= 1) {
      if (shown[i].getBoundingClientRect().top < bottom - 8) return Number(shown[i].dataset.seq);
    }
    return 0;
  }

  unreadAfter(seq) {
    let count = 0;
    for (const message of this.messages.values()) {
      if (message.seq > seq && !message.is_deleted && message.sender?.id !== this.me.id) count += 1;
    }
    return count;
  }

  async markRead() {
    if (this.destroyed || document.visibilityState !== "visible" || !this.app.isShowing(this)) return;
    const seq = this.lastVisibleSeq();
    if (seq <= this.readSent) return;
    this.readSent = seq;
    this.app.readLocally(this.chat.id, seq, this.unreadAfter(seq));
    try {
      await api.markRead(this.chat.id, seq);
    } catch {
      this.readSent = 0; // try again on the next scroll or message
    }
  }

  // Sending ---------------------------------------------------------------------------------------------------------

  send({ text, files, replyTo }) {
    const item = {
      clientId: newClientId(), text, files, replyTo, createdAt: new Date().toISOString(), state: "sending", tries: 0,
    };
    this.app.storage.keep(this.chat.id, this.kept(item));
    this.pending.set(item.clientId, item);
    this.log.append(this.render(item));
    this.arrange();
    this.scrollToBottom();
    this.deliver(item);
  }

  /** What the outbox keeps of a message: its text and reply; of files only their names (they cannot be stored). */
  kept(item, extra = {}) {
    const { clientId, text, replyTo, createdAt } = item;
    return { clientId, text, replyTo, createdAt, fileNames: item.files.map((file) => file.name), ...extra };
  }

  /**
   * After a reload: unconfirmed text messages go again with their client ids (stored once whatever happened before).
   * A message the server refused, or one whose files were lost with the page, goes back into the composer instead.
   */
  resendOutbox() {
    for (const kept of this.app.storage.outbox(this.chat.id)) {
      if (this.pending.has(kept.clientId)) continue;
      const known = [...this.messages.values()].find((m) => m.client_id === kept.clientId);
      if (known || kept.refused || kept.fileNames?.length) {
        this.app.storage.forget(this.chat.id, kept.clientId);
        if (!known) this.restoreKept(kept);
        continue;
      }
      const item = { ...kept, files: [], state: "sending", tries: 0 };
      this.pending.set(item.clientId, item);
      this.log.append(this.render(item));
      this.deliver(item);
    }
    this.arrange();
  }

  restoreKept(kept) {
    this.composer.restore({ text: kept.text, replyTo: kept.replyTo });
    if (kept.fileNames?.length) notify(t("attach_again", { names: kept.fileNames.join(", ") }), { error: true });
    else notify(t("not_sent_restored"), { error: true });
  }

  redrawPending(item) {
    document.getElementById(`msg-pending-${item.clientId}`)?.replaceWith(this.render(item));
    this.arrange();
  }

  async deliver(item) {
    clearTimeout(item.retryTimer);
    item.state = "sending";
    item.tries += 1;
    this.redrawPending(item);
    try {
      const message = await api.send(this.chat.id, {
        clientId: item.clientId, text: item.text, replyTo: item.replyTo?.id, files: item.files,
      });
      if (this.destroyed) return this.app.storage.forget(this.chat.id, item.clientId);
      this.app.messageArrived(message); // the same path as the live event, which may come before or after
    } catch (error) {
      if (this.destroyed || !this.pending.has(item.clientId)) return;
      item.state = "failed";
      item.error = error.message;
      item.retryable = error.retryable;
      // Refused for good (too big a file, not a member any more): it stays on screen, and after a reload it comes
      // back into the composer rather than being sent again.
      if (!error.retryable) this.app.storage.keep(this.chat.id, this.kept(item, { refused: true }));
      this.redrawPending(item);
      if (error.retryable && item.tries <= RETRY_DELAYS.length) {
        item.retryTimer = setTimeout(() => this.deliver(item), RETRY_DELAYS[item.tries - 1]);
      }
    }
  }

  /** The connection is back: messages that failed for want of it go again. */
  retryFailed() {
    for (const item of this.pending.values()) {
      if (item.state === "failed" && item.retryable) this.deliver(item);
    }
  }

  confirmPending(item, message) {
    clearTimeout(item.retryTimer);
    this.pending.delete(item.clientId);
    this.app.storage.forget(this.chat.id, item.clientId);
    document.getElementById(`msg-pending-${item.clientId}`)?.remove();
    this.put(message);
  }

  /** «Вернуть в поле ввода»: a message the server refused goes back to the composer, text, files and all. */
  discard(item) {
    clearTimeout(item.retryTimer);
    this.pending.delete(item.clientId);
    this.app.storage.forget(this.chat.id, item.clientId);
    document.getElementById(`msg-pending-${item.clientId}`)?.remove();
    this.arrange();
    this.composer.restore(item);
  }

  async edit(message, text) {
    try {
      const changed = await api.edit(this.chat.id, message.id, text);
      this.app.messageEdited(changed);
    } catch (error) {
      notify(error.message, { error: true });
      this.composer.startEdit({ ...message, text }); // what was typed stays in the composer
    }
  }

  // Message actions -------------------------------------------------------------------------------------------------

  menu(message, button) {
    this.closeMenu();
    if (message.is_deleted) {
      notify(t("message_deleted"));
      return;
    }
    const own = message.sender?.id === this.me.id;
    /** @type {[string, () => void][]} */
    const items = [[t("reply"), () => this.reply(message)]];
    if (own) items.push([t("edit"), () => this.composer.startEdit(message)]);
    if (own || this.chat.permissions.delete_any_message) items.push([t("delete"), () => this.remove(message)]);
    if (!own) items.push([t("report"), () => this.reportMessage(message)]);
    /** @param {[string, () => void]} item */
    const menuItem = ([label, action]) => h("button", {
      type: "button",
      role: "menuitem",
      onclick: () => {
        this.closeMenu();
        action();
      },
    }, label);
    const menu = h("div", { class: "msg-menu", role: "menu", "aria-label": t("message_actions") }, items.map(menuItem));
    if (message.attachments?.some((/** @type {any} */ a) => a.kind === "video")) {
      this.offerRecordingDelete(message, menu, menuItem);
    }
    menu.addEventListener("keydown", (event) => {
      const buttons = [...menu.querySelectorAll("button")];
      const index = buttons.indexOf(document.activeElement);
      if (event.key === "Escape") {
        this.closeMenu();
        button.focus();
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        buttons[(index + (event.key === "ArrowDown" ? 1 : buttons.length - 1)) % buttons.length].focus();
      }
    });
    button.setAttribute("aria-expanded", "true");
    button.after(menu);
    menu.querySelector("button").focus();
    this.openMenu = { menu, button };
    this.outside = (event) => {
      if (!menu.contains(event.target) && event.target !== button) this.closeMenu();
    };
    setTimeout(() => document.addEventListener("pointerdown", /** @type {EventListener} */ (this.outside)), 0);
  }

  closeMenu() {
    if (!this.openMenu) return;
    this.openMenu.button.setAttribute("aria-expanded", "false");
    this.openMenu.menu.remove();
    this.openMenu = null;
    document.removeEventListener("pointerdown", /** @type {EventListener} */ (this.outside));
  }

  reply(message) {
    this.composer.setReply({
      id: message.id,
      seq: message.seq,
      sender: message.sender,
      text: message.text.slice(0, 200),
      is_deleted: false,
    });
    this.composer.focus();
  }

  /**
   * A call's recording (issue 11): its organizer (or the organization's admin) gets «Удалить запись» in the menu.
   * Which video is a recording only the recordings API knows; the menu is open meanwhile.
   * @param {any} message @param {HTMLElement} menu @param {(item: [string, () => void]) => HTMLElement} menuItem
   */
  async offerRecordingDelete(message, menu, menuItem) {
    let recording;
    try {
      recording = await api.recordingOfMessage(message.id);
    } catch {
      return; // not a recording, or not one this person may delete
    }
    if (!recording?.may_delete || this.openMenu?.menu !== menu) return;
    const item = menuItem([t("delete_recording"), () => this.removeRecording(recording.id)]);
    item.classList.add("msg-menu-danger");
    item.dataset.recording = recording.id;
    menu.append(item);
  }

  /** @param {string} recordingId */
  async removeRecording(recordingId) {
    const ok = await confirmDialog({
      title: t("delete_recording_title"), text: t("delete_recording_text"), confirmLabel: t("delete"), danger: true,
    });
    if (!ok) return;
    try {
      const answer = await api.deleteRecording(recordingId);
      if (answer?.message) this.app.messageEdited(answer.message);
      notify(t("recording_deleted"));
    } catch (error) {
      notify(error.message, { error: true });
    }
  }

  async remove(message) {
    const ok = await confirmDialog({
      title: t("delete_title"), text: t("delete_text"), confirmLabel: t("delete"), danger: true,
    });
    if (!ok) return;
    try {
      const gone = await api.remove(this.chat.id, message.id);
      this.app.messageDeleted({ chat_id: this.chat.id, message_id: gone.id, seq: gone.seq });
    } catch (error) {
      notify(error.message, { error: true });
    }
  }

  async reportMessage(message) {
    const ok = await confirmDialog({
      title: t("report_title"), text: t("report_text"), confirmLabel: t("report"), danger: true,
    });
    if (!ok) return;
    try {
      await api.report(this.chat.id, message.id);
      notify(t("report_sent"));
    } catch (error) {
      notify(error.message, { error: true });
    }
  }

  /** The profile was removed from this chat (or left it on another device). */
  removed() {
    this.composer.element.replaceWith(h("p", { class: "chat-removed", role: "status" }, t("not_member_any_more")));
    this.info.close();
  }
}
