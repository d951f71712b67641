// Sign-in, step 1: the date of birth appears as soon as the typed contact looks like an e-mail address
// (an e-mail is accepted only for children under 14). Without JavaScript the server asks for it instead.
const form = document.querySelector("[data-contact-form]");
if (form) {
  const contact = form.querySelector("input[name=contact]");
  const birthDate = form.querySelector("[data-birth-date]");
  const update = () => { birthDate.hidden = !contact.value.includes("@"); };
  contact.addEventListener("input", update);
  update();
}
