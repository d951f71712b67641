/** Dates, times and sizes as a Russian reader expects them, in the browser's time zone. */
import { t } from "./i18n.js";

const lang = document.documentElement.lang || "ru";
const timeFormat = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" });
const dayMonth = new Intl.DateTimeFormat(lang, { day: "numeric", month: "long" });
const dayMonthYear = new Intl.DateTimeFormat(lang, { day: "numeric", month: "long", year: "numeric" });
const shortDate = new Intl.DateTimeFormat(lang, { day: "2-digit", month: "2-digit", year: "2-digit" });
const weekday = new Intl.DateTimeFormat(lang, { weekday: "short" });
const fullFormat = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" });

export function dayKey(date) {
  const d = new Date(date);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

function daysAgo(date) {
  const d = new Date(date);
  const start = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  const now = new Date();
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  return Math.round((today.getTime() - start.getTime()) / 86_400_000);
}

/** The time in a message: «14:05». */
export function time(date) {
  return timeFormat.format(new Date(date));
}

/** A full date and time for a tooltip. */
export function fullDateTime(date) {
  return fullFormat.format(new Date(date));
}

/** The chat list's column: the time today, the weekday this week, else the date. */
export function listTime(date) {
  const ago = daysAgo(date);
  if (ago <= 0) return time(date);
  if (ago < 7) return weekday.format(new Date(date));
  return shortDate.format(new Date(date));
}

/** A day separator in a chat: «Сегодня», «Вчера», «5 марта», «5 марта 2024 г.». */
export function dayLabel(date) {
  const ago = daysAgo(date);
  if (ago === 0) return t("today");
  if (ago === 1) return t("yesterday");
  const d = new Date(date);
  return (d.getFullYear() === new Date().getFullYear() ? dayMonth : dayMonthYear).format(d);
}

/** «1,5 МБ» */
export function fileSize(bytes) {
  const units = [t("size_b"), t("size_kb"), t("size_mb"), t("size_gb")];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toLocaleString(lang, { maximumFractionDigits: digits })} ${units[unit]}`;
}

/** A video's or an audio's length: «0:42», «12:05», «1:02:03». @param {number} ms */
export function duration(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

/**
 * Initials for an avatar circle: «Анна Петрова» → «АП»; a class chat keeps its class: «7Б — ученики» → «7Б».
 * Words without a letter or digit (dashes) are skipped.
 */
export function initials(name) {
  const parts = String(name ?? "").trim().split(/\s+/).filter((part) => /[\p{L}\p{N}]/u.test(part));
  if (parts.length && /^\d+\p{L}?$/u.test(parts[0])) return parts[0].toUpperCase();
  return parts.slice(0, 2).map((part) => part[0].toUpperCase()).join("") || "?";
}
