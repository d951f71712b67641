/**
 * The call page's elements by id (calls/call.html; the ids are the browser tests' hooks too), and the notices it
 * shows: the notice box over the page, the status line, the toast.
 */

const TOAST_SHOWN = 6000; // ms

/**
 * The page's element with this id. The template has every id the page asks for by name; the few it may leave out
 * (a guest's name field, the chat button) are read with `?.`.
 * @param {string} id
 * @returns {any}
 */
export const $ = (id) => document.getElementById(id);

/** @param {string} text @param {{retry?: boolean}} [options] */
export function notice(text, { retry = false } = {}) {
  $("call-notice-text").textContent = text;
  $("call-notice-retry").hidden = !retry;
  $("call-notice").hidden = false;
}

export function hideNotice() {
  $("call-notice").hidden = true;
}

/** @param {string} text */
export function setStatus(text) {
  $("call-status").textContent = text;
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let toastTimer;

/** @param {string} text */
export function toast(text) {
  const element = $("call-toast");
  element.textContent = text;
  element.classList.add("call-toast-shown");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => element.classList.remove("call-toast-shown"), TOAST_SHOWN);
}

/**
 * «Вы уверены?» in the page's confirm dialog; resolves with the answer.
 * @param {string} text
 * @param {string} okLabel
 * @returns {Promise<boolean>}
 */
export function confirm(text, okLabel) {
  const dialog = $("call-confirm");
  $("call-confirm-text").textContent = text;
  $("call-confirm-ok").textContent = okLabel;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}
