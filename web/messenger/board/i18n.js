/**
 * The board's words. A page may render its own translations as `<script id="board-strings" type="application/json">`
 * (Django's catalogue, like #call-strings); any key it lacks falls back to the Russian below, so the board speaks
 * Russian on any page that mounts it. `%(name)s` placeholders are filled as in web/core/i18n.js.
 */
import { readJson } from "../../core/dom.js";

/** @type {Record<string, string>} */
const RUSSIAN = {
  toolbar: "Инструменты доски",
  pen: "Ручка",
  highlighter: "Маркер",
  eraser: "Ластик",
  line: "Линия",
  arrow: "Стрелка",
  rect: "Прямоугольник",
  ellipse: "Эллипс",
  text: "Текст",
  sticky: "Стикер",
  select: "Выделение",
  laser: "Лазерная указка",
  pan: "Рука (двигать доску)",
  color: "Цвет %(name)s",
  width_thin: "Тонкая линия",
  width_medium: "Средняя линия",
  width_thick: "Толстая линия",
  undo: "Отменить",
  redo: "Вернуть",
  delete: "Удалить",
  zoom_in: "Крупнее",
  zoom_out: "Мельче",
  fit: "По размеру",
  add_page: "Добавить страницу",
  delete_page: "Удалить страницу",
  delete_page_confirm: "Удалить страницу %(n)s со всем, что на ней нарисовано?",
  prev_page: "Предыдущая страница",
  next_page: "Следующая страница",
  page_of: "Страница %(n)s из %(m)s",
  page_title: "Страница %(n)s",
  organizer_only: "Рисовать может только организатор",
  chosen_only: "Рисовать могут только участники, которых выбрал организатор",
  locked: "Доска закрыта организатором",
  ended: "Звонок завершён — доска только для просмотра",
  connecting: "Подключаемся к доске…",
  offline: "Нет связи с доской — переподключаемся…",
  waiting_first_page: "Ждём, пока организатор откроет доску…",
  refused: "Изменение не принято: %(message)s",
  closed_4401: "Войдите, чтобы видеть доску.",
  closed_4403: "Организатор удалил вас из звонка — доска больше недоступна.",
  closed_4404: "Доска не найдена или вы не участник этого звонка.",
  text_placeholder: "Текст…",
  guest: "Гость",
  black: "чёрный",
  blue: "синий",
  red: "красный",
  green: "зелёный",
  orange: "оранжевый",
  purple: "фиолетовый",
};

/** @type {Record<string, string> | null} */
let page = null;

/** @param {string} key @param {Record<string, unknown>} [params] */
export function t(key, params = {}) {
  page ??= /** @type {Record<string, string> | null} */ (readJson("board-strings")) ?? {};
  const text = page[key] ?? RUSSIAN[key] ?? key;
  return text.replace(/%\((\w+)\)s/g, (match, name) => (name in params ? String(params[name]) : match));
}
