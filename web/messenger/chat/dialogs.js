/** Confirmations, the full-size photo viewer and short notices: native <dialog>s, keyboard and screen-reader ready. */
import { h, icon } from "./dom.js";
import { t } from "./i18n.js";

/** Asks before something that cannot be undone; resolves true when confirmed. */
export function confirmDialog({ title, text, confirmLabel, danger = false }) {
  return new Promise((resolve) => {
    const dialog = h(
      "dialog",
      { class: "chat-dialog", "aria-labelledby": "chat-dialog-title" },
      h(
        "form",
        { method: "dialog" },
        h("h2", { id: "chat-dialog-title" }, title),
        text ? h("p", {}, text) : null,
        h(
          "div",
          { class: "chat-dialog-actions" },
          h("button", { type: "submit", value: "cancel", class: "chat-button-secondary" }, t("cancel")),
          h("button", { type: "submit", value: "ok", class: danger ? "chat-button chat-button-danger" : "chat-button" },
            confirmLabel),
        ),
      ),
    );
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "ok");
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** A photo at full size, over the page; Escape or the close button returns to the chat. */
export function showImage({ url, name }) {
  const dialog = h(
    "dialog",
    { class: "chat-dialog chat-viewer", "aria-label": name || t("photo") },
    h(
      "form",
      { method: "dialog", class: "chat-viewer-bar" },
      h("a", { href: url, target: "_blank", rel: "noopener", class: "chat-viewer-open" }, t("open_original")),
      h("button", { type: "submit", class: "chat-icon-button", "aria-label": t("close"), title: t("close") },
        icon("close")),
    ),
    h("img", { src: url, alt: name || t("photo"), class: "chat-viewer-image" }),
  );
  dialog.addEventListener("close", () => dialog.remove());
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close(); // a tap outside the picture closes it
  });
  document.body.append(dialog);
  dialog.showModal();
}

let notices = null;

/** A short notice at the bottom of the screen («Ссылка скопирована», an error to retry later). */
export function notify(text, { error = false } = {}) {
  notices ??= document.body.appendChild(h("div", { class: "chat-notices", role: "status", "aria-live": "polite" }));
  const notice = h("p", { class: error ? "chat-notice chat-notice-error" : "chat-notice" }, text);
  notices.append(notice);
  setTimeout(() => notice.remove(), error ? 8000 : 4000);
}
