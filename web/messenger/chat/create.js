/**
 * «Создать чат» (C4): a name (e.g. «Стенгазета»), members from the people one may reach (or none), «Закрытый чат»
 * (checked, recommended) → «Сохранить» → the new chat opens. The form is in the page; this adds people search and
 * sends it to the API. What was typed stays in the form when the server refuses.
 */
import { api } from "./api.js";
import { PeoplePicker } from "./people.js";

const form = document.getElementById("new-chat-form");
if (form) {
  const picker = new PeoplePicker({ id: "new-chat-people" });
  form.querySelector("[data-people]").replaceChildren(picker.element);
  const error = form.querySelector("[data-error]");
  const button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const title = form.elements.title.value.trim();
    if (!title) {
      error.textContent = form.elements.title.dataset.required;
      error.hidden = false;
      form.elements.title.focus();
      return;
    }
    button.disabled = true;
    try {
      const chat = await api.createChat({
        title,
        member_ids: picker.ids(),
        is_closed: form.elements.is_closed.checked,
      });
      location.assign(`/chats/${chat.id}/`);
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
      button.disabled = false;
    }
  });
}
