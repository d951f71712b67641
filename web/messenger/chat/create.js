/**
 * «Создать чат» (C4): a name (e.g. «Стенгазета»), members from the people one may reach (or none), «Закрытый чат»
 * (checked, recommended) → «Сохранить» → the new chat opens. The form is in the page; this adds people search and
 * sends it to the API. What was typed stays in the form when the server refuses.
 */
import { api } from "./api.js";
import { PeoplePicker } from "./people.js";

const form = /** @type {HTMLFormElement | null} */ (document.getElementById("new-chat-form"));
if (form) {
  const picker = new PeoplePicker({ id: "new-chat-people" });
  form.querySelector("[data-people]")?.replaceChildren(picker.element);
  const error = /** @type {HTMLElement} */ (form.querySelector("[data-error]"));
  const button = /** @type {HTMLButtonElement} */ (form.querySelector("button[type=submit]"));
  const titleField = /** @type {HTMLInputElement} */ (form.elements.namedItem("title"));
  const closedField = /** @type {HTMLInputElement} */ (form.elements.namedItem("is_closed"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const title = titleField.value.trim();
    if (!title) {
      error.textContent = titleField.dataset.required ?? "";
      error.hidden = false;
      titleField.focus();
      return;
    }
    button.disabled = true;
    try {
      const chat = await api.createChat({
        title,
        member_ids: picker.ids(),
        is_closed: closedField.checked,
      });
      location.assign(`/chats/${chat.id}/`);
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
      button.disabled = false;
    }
  });
}
