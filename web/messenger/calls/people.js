/**
 * «Участники»: who is in the call with their microphone, camera, screen and hand, and the hands queue (oldest first).
 * The organizer gets buttons per person: lower the hand, turn off the microphone / camera / screen sharing, allow or
 * forbid sharing the screen (and turning on the microphone or the camera, and recording the call: «Может записывать»),
 * remove from the call. The hooks (li[data-participant] with data-mic, data-camera,
 * data-screen, data-hand; the button classes) are fixed by docs/calls.md for the browser tests.
 */
import { t } from "./i18n.js";

/**
 * @param {string} className @param {string} label @param {() => void} onClick
 * @param {{pressed?: boolean, disabled?: boolean}} [options]
 */
function button(className, label, onClick, { pressed, disabled } = {}) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = `call-person-action ${className}`;
  element.textContent = label;
  element.disabled = Boolean(disabled);
  if (pressed !== undefined) element.setAttribute("aria-pressed", String(Boolean(pressed)));
  element.addEventListener("click", onClick);
  return element;
}

function onOff(value) {
  return value ? "on" : "off";
}

export class PeoplePanel {
  /**
   * @param {HTMLElement} list   #call-people
   * @param {HTMLElement} hands  #call-hands
   * @param {object} actions     lowerHand(p), mute(p, what), allow(p, what), allowRecording(p), remove(p)
   */
  constructor(list, hands, actions) {
    this.list = list;
    this.hands = hands;
    this.actions = actions;
  }

  render(state) {
    const meId = state.me?.participant_id ?? null;
    const admin = Boolean(state.me?.is_admin);
    const places = new Map((state.hands ?? []).map((id, index) => [id, index + 1]));
    const people = new Map(state.participants.map((person) => [person.id, person]));
    this.list.replaceChildren(
      ...state.participants.map((person) => this.#row(person, { me: person.id === meId, admin, place: places.get(person.id) })),
    );
    this.hands.replaceChildren(
      ...(state.hands ?? []).map((id, index) => this.#handRow(people.get(id), id, index + 1, admin && id !== meId)),
    );
    if (!this.hands.children.length) {
      const empty = document.createElement("li");
      empty.className = "call-hands-empty muted";
      empty.textContent = t("hands_empty");
      this.hands.append(empty);
    }
  }

  #row(person, { me, admin, place }) {
    const row = document.createElement("li");
    row.className = "call-person";
    row.dataset.participant = String(person.id);
    row.dataset.mic = onOff(person.microphone);
    row.dataset.camera = onOff(person.camera);
    row.dataset.screen = onOff(person.screen);
    row.dataset.present = String(Boolean(person.present));
    if (place) row.dataset.hand = String(place);
    const name = document.createElement("span");
    name.className = "call-person-name";
    name.textContent = me ? t("you_suffix", { name: person.name }) : person.name;
    const notes = [];
    if (person.is_admin) notes.push(t("organizer"));
    if (!person.present) notes.push(t("not_present"));
    if (place) notes.push(`✋ ${t("place_in_queue", { place })}`);
    const note = document.createElement("span");
    note.className = "call-person-note muted";
    note.textContent = notes.join(" · ");
    const states = document.createElement("span");
    states.className = "call-person-state";
    states.textContent = [
      person.microphone ? t("state_mic_on") : t("state_mic_off"),
      person.camera ? t("state_camera_on") : t("state_camera_off"),
      person.screen ? t("state_screen_on") : null,
    ].filter(Boolean).join(", ");
    row.append(name, note, states);
    if (admin && !me) row.append(this.#adminButtons(person, place));
    return row;
  }

  #adminButtons(person, place) {
    const box = document.createElement("span");
    box.className = "call-person-actions";
    const off = !person.present;
    if (place) box.append(button("call-lower-hand", t("lower_hand"), () => this.actions.lowerHand(person)));
    box.append(
      button("call-mute-mic", t("mute_mic"), () => this.actions.mute(person, "microphone"), {
        disabled: off || !person.microphone,
      }),
      button("call-mute-camera", t("mute_camera"), () => this.actions.mute(person, "camera"), {
        disabled: off || !person.camera,
      }),
    );
    if (person.screen) box.append(button("call-mute-screen", t("stop_screen"), () => this.actions.mute(person, "screen")));
    box.append(
      button("call-toggle-screen-permission", t("allow_screen"), () => this.actions.allow(person, "screen"), {
        pressed: person.may?.screen,
      }),
      button("call-toggle-mic-permission", t("allow_mic"), () => this.actions.allow(person, "microphone"), {
        pressed: person.may?.microphone,
      }),
      button("call-toggle-camera-permission", t("allow_camera"), () => this.actions.allow(person, "camera"), {
        pressed: person.may?.camera,
      }),
    );
    if (!person.is_admin && person.profile_id !== null && this.actions.allowRecording) {
      box.append(button("call-toggle-record-permission", t("allow_record"), () => this.actions.allowRecording(person), {
        pressed: Boolean(person.may_record),
      }));
    }
    box.append(
      button("call-remove call-danger-text", t("remove"), () => this.actions.remove(person)),
    );
    return box;
  }

  #handRow(person, id, place, canLower) {
    const row = document.createElement("li");
    row.dataset.handOf = String(id);
    const name = document.createElement("span");
    name.textContent = `${place}. ${person?.name ?? ""}`;
    row.append(name);
    if (canLower && person) {
      row.append(button("call-hands-lower", t("lower_hand"), () => this.actions.lowerHand(person)));
    }
    return row;
  }
}
