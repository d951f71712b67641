// «Добавить чат предмета»: the name the journal will give the chat, shown as soon as the class and subject are chosen.
const form = /** @type {HTMLFormElement | null} */ (document.getElementById("subject-chat-form"));
const data = document.getElementById("chat-names");
const shown = document.getElementById("chat-name");
if (form && data && shown) {
  /** @type {Record<string, string>} */
  const names = JSON.parse(data.textContent ?? "{}");
  /** @param {string} name */
  const value = (name) => /** @type {HTMLInputElement | HTMLSelectElement | null} */ (form.elements.namedItem(name))?.value ?? "";
  const show = () => {
    const key = [value("school_class"), value("subject"), value("group")].join(":");
    const whole = [value("school_class"), value("subject"), ""].join(":");
    shown.textContent = names[key] || names[whole] || "—";
  };
  form.addEventListener("change", show);
  show();
}
