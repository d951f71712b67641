// Sign-in, step 1: the date of birth appears as soon as the typed contact looks like an e-mail address
// (an e-mail is accepted only for children under 14). Without JavaScript the server asks for it instead.
const form = document.querySelector("[data-contact-form]");
const contact = /** @type {HTMLInputElement | null | undefined} */ (form?.querySelector("input[name=contact]"));
const birthDate = /** @type {HTMLElement | null | undefined} */ (form?.querySelector("[data-birth-date]"));
if (contact && birthDate) {
  const update = () => { birthDate.hidden = !contact.value.includes("@"); };
  contact.addEventListener("input", update);
  update();
}
