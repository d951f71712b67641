/**
 * Picking people from the search of those one may reach (C7: the server shows nobody else): type at least two
 * letters, tap «Добавить» on a result; the chosen ones are listed with «Убрать».
 */
import { api } from "./api.js";
import { clear, h, icon } from "./dom.js";
import { t } from "./i18n.js";

const MIN_QUERY = 2;
const DEBOUNCE = 250; // ms after the last keystroke

function roleLine(person) {
  return (person.roles ?? [])
    .map((role) => [role.kind_label, role.class_name, role.organization_name].filter(Boolean).join(", "))
    .join("; ");
}

export class PeoplePicker {
  /** @param {object} options {id, exclude: Set<number> of ids not to offer, onChange(selected)} */
  constructor({ id, exclude = new Set(), onChange = () => {} }) {
    this.id = id;
    this.exclude = exclude;
    this.onChange = onChange;
    this.selected = new Map(); // id → person
    this.element = this.build();
  }

  build() {
    this.input = h("input", {
      type: "search",
      id: `${this.id}-q`,
      class: "chat-input",
      autocomplete: "off",
      "aria-describedby": `${this.id}-hint`,
      "aria-controls": `${this.id}-results`,
    });
    this.input.addEventListener("input", () => this.queue());
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault(); // Enter searches, it does not submit the whole form
    });
    this.hint = h("p", { class: "chat-hint", id: `${this.id}-hint`, "aria-live": "polite" }, t("people_hint"));
    this.results = h("ul", { class: "people-results", id: `${this.id}-results`, "aria-label": t("people_found") });
    this.chosen = h("ul", { class: "people-chosen", "aria-label": t("people_chosen"), hidden: true });
    return h(
      "div",
      { class: "people-picker" },
      h("label", { for: `${this.id}-q`, class: "chat-label" }, t("find_people")),
      this.input,
      this.hint,
      this.results,
      this.chosen,
    );
  }

  queue() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.search(), DEBOUNCE);
  }

  async search() {
    const q = this.input.value.trim();
    this.abort?.abort();
    clear(this.results);
    if (q.length < MIN_QUERY) {
      this.hint.textContent = t("people_hint");
      return;
    }
    this.abort = new AbortController();
    this.hint.textContent = t("searching");
    try {
      const people = await api.searchPeople(q, this.abort.signal);
      const offered = people.filter((person) => !this.exclude.has(person.id));
      this.hint.textContent = offered.length ? "" : t("nobody_found");
      for (const person of offered) this.results.append(this.result(person));
    } catch (error) {
      if (error?.name !== "AbortError") this.hint.textContent = error.message;
    }
  }

  result(person) {
    const chosen = this.selected.has(person.id);
    return h(
      "li",
      { class: "people-item" },
      h("span", { class: "people-name" }, h("strong", {}, person.name), h("span", { class: "chat-hint" }, roleLine(person))),
      h("button", {
        type: "button",
        class: "chat-button-secondary",
        "aria-pressed": chosen ? "true" : "false",
        "aria-label": chosen ? t("unchoose_person", { name: person.name }) : t("choose_person", { name: person.name }),
        onclick: (event) => {
          if (this.selected.has(person.id)) this.selected.delete(person.id);
          else this.selected.set(person.id, person);
          event.currentTarget.closest("li").replaceWith(this.result(person));
          this.renderChosen();
        },
      }, chosen ? t("chosen") : t("add")),
    );
  }

  renderChosen() {
    clear(this.chosen);
    for (const person of this.selected.values()) {
      this.chosen.append(h("li", { class: "people-chip" }, person.name, h("button", {
        type: "button",
        class: "chat-icon-button",
        "aria-label": t("unchoose_person", { name: person.name }),
        title: t("unchoose_person", { name: person.name }),
        onclick: () => {
          this.selected.delete(person.id);
          this.renderChosen();
          this.search();
        },
      }, icon("close"))));
    }
    this.chosen.hidden = this.selected.size === 0;
    this.onChange([...this.selected.values()]);
  }

  ids() {
    return [...this.selected.keys()];
  }

  reset() {
    this.selected.clear();
    this.input.value = "";
    clear(this.results);
    this.renderChosen();
  }
}
