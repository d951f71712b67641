/**
 * The composer: text (Enter sends, Shift+Enter starts a new line), files from the paperclip (several), a reply or an
 * edit in progress. Every keystroke saves the draft for this chat, so nothing typed is lost to a reload or a crash.
 */
import { clear, h, icon } from "./dom.js";
import { fileSize } from "./format.js";
import { t } from "./i18n.js";

const MAX_HEIGHT = 200; // px: the text area grows with the text up to about eight lines, then scrolls

export class Composer {
  /**
   * @param {object} options {chatId, storage, onSubmit({text, files, replyTo}), onEdit(message, text), onTyping()}
   */
  constructor({ chatId, storage, onSubmit, onEdit, onTyping }) {
    this.chatId = chatId;
    this.storage = storage;
    this.onSubmit = onSubmit;
    this.onEdit = onEdit;
    this.onTyping = onTyping;
    this.files = [];
    this.replyTo = null;
    this.editing = null; // the message being edited; the draft waits meanwhile
    this.element = this.build();
    this.restoreDraft();
  }

  build() {
    this.context = h("div", { class: "composer-context", hidden: true });
    this.fileList = h("ul", { class: "composer-files", "aria-label": t("attached_files"), hidden: true });
    this.fileInput = h("input", { type: "file", multiple: true, hidden: true, "aria-label": t("attach_files") });
    this.fileInput.addEventListener("change", () => {
      this.addFiles([...this.fileInput.files]);
      this.fileInput.value = "";
    });
    this.attachButton = h("button", {
      type: "button",
      class: "chat-icon-button composer-attach",
      "aria-label": t("attach_files"),
      title: t("attach_files"),
      onclick: () => this.fileInput.click(),
    }, icon("clip"));
    this.textarea = h("textarea", {
      rows: "1",
      class: "composer-text",
      "aria-label": t("message"),
      placeholder: t("message_placeholder"),
      maxlength: "10000",
    });
    this.textarea.addEventListener("input", () => {
      this.autosize();
      if (!this.editing) this.saveDraft();
      if (this.textarea.value.trim()) this.onTyping?.();
    });
    this.textarea.addEventListener("keydown", (event) => this.keydown(event));
    this.textarea.addEventListener("paste", (event) => {
      const files = [...(event.clipboardData?.files ?? [])];
      if (files.length) {
        event.preventDefault();
        this.addFiles(files);
      }
    });
    this.sendButton = h("button", {
      type: "submit", class: "chat-icon-button composer-send", "aria-label": t("send"), title: t("send"),
    }, icon("send"));
    const form = h(
      "form",
      { class: "composer", "aria-label": t("new_message") },
      this.context,
      this.fileList,
      h("div", { class: "composer-row" }, this.attachButton, this.fileInput, this.textarea, this.sendButton),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    return form;
  }

  keydown(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      this.submit();
    } else if (event.key === "Escape" && (this.editing || this.replyTo)) {
      event.preventDefault();
      if (this.editing) this.cancelEdit();
      else this.setReply(null);
    }
  }

  autosize() {
    this.textarea.style.height = "auto";
    this.textarea.style.height = `${Math.min(this.textarea.scrollHeight, MAX_HEIGHT)}px`;
  }

  focus() {
    this.textarea.focus({ preventScroll: true });
  }

  // Drafts ----------------------------------------------------------------------------------------------------------

  saveDraft() {
    this.storage.saveDraft(this.chatId, { text: this.textarea.value, replyTo: this.replyTo });
  }

  restoreDraft() {
    const draft = this.storage.draft(this.chatId);
    if (!draft) return;
    this.textarea.value = draft.text ?? "";
    this.setReply(draft.replyTo ?? null, { save: false });
    queueMicrotask(() => this.autosize());
  }

  /** Puts a message that could not be sent back into the composer, in front of anything typed since. */
  /** @param {{text: string, files?: File[], replyTo?: any}} kept */
  restore({ text, files, replyTo }) {
    if (this.editing) this.cancelEdit();
    const typed = this.textarea.value;
    this.textarea.value = typed && text ? `${text}\n${typed}` : text || typed;
    if (files?.length) this.addFiles(files);
    if (replyTo) this.setReply(replyTo);
    this.saveDraft();
    this.autosize();
    this.focus();
  }

  // Files -----------------------------------------------------------------------------------------------------------

  addFiles(files) {
    this.files.push(...files);
    this.renderFiles();
  }

  renderFiles() {
    clear(this.fileList);
    this.files.forEach((file, index) => {
      this.fileList.append(h(
        "li",
        { class: "composer-file" },
        h("span", { class: "composer-file-name" }, file.name),
        h("span", { class: "composer-file-size" }, fileSize(file.size)),
        h("button", {
          type: "button",
          class: "chat-icon-button",
          "aria-label": t("remove_file", { name: file.name }),
          title: t("remove_file", { name: file.name }),
          onclick: () => {
            this.files.splice(index, 1);
            this.renderFiles();
            this.focus();
          },
        }, icon("close")),
      ));
    });
    this.fileList.hidden = this.files.length === 0;
  }

  // Reply and edit --------------------------------------------------------------------------------------------------

  /** reply: {id, seq, sender: {short_name}, text, is_deleted} (the API's ReplyPreviewOut shape) or null. */
  setReply(reply, { save = true } = {}) {
    this.replyTo = reply;
    this.renderContext();
    if (save) this.saveDraft();
  }

  startEdit(message) {
    this.editing = message;
    this.replyTo = null;
    this.textarea.value = message.text;
    this.renderContext();
    this.autosize();
    this.focus();
  }

  cancelEdit() {
    this.editing = null;
    this.textarea.value = "";
    this.restoreDraft();
    this.renderContext();
    this.autosize();
  }

  renderContext() {
    clear(this.context);
    let label = null;
    let detail = "";
    if (this.editing) {
      label = t("editing_message");
      detail = this.editing.text;
    } else if (this.replyTo) {
      label = t("reply_to", { name: this.replyTo.sender?.short_name ?? t("deleted_profile") });
      detail = this.replyTo.text || t("attachment");
    }
    this.context.hidden = label === null;
    if (label === null) return;
    this.context.append(
      icon(this.editing ? "pencil" : "reply"),
      h("span", { class: "composer-context-text" }, h("strong", {}, label), h("span", {}, detail)),
      h("button", {
        type: "button",
        class: "chat-icon-button",
        "aria-label": this.editing ? t("cancel_edit") : t("cancel_reply"),
        title: this.editing ? t("cancel_edit") : t("cancel_reply"),
        onclick: () => (this.editing ? this.cancelEdit() : this.setReply(null)),
      }, icon("close")),
    );
  }

  // Sending ---------------------------------------------------------------------------------------------------------

  submit() {
    const text = this.textarea.value;
    if (this.editing) {
      const message = this.editing;
      if (!text.trim() && !message.attachments?.length) return;
      this.editing = null;
      this.textarea.value = "";
      this.restoreDraft();
      this.renderContext();
      this.autosize();
      this.onEdit(message, text);
      return;
    }
    if (!text.trim() && !this.files.length) return;
    const item = { text: text.trim() ? text : "", files: this.files, replyTo: this.replyTo };
    this.files = [];
    this.replyTo = null;
    this.textarea.value = "";
    this.renderFiles();
    this.renderContext();
    this.autosize();
    this.onSubmit(item); // the outbox holds the text from here until the server has it
    this.storage.saveDraft(this.chatId, null);
    this.focus();
  }
}
