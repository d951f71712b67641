// Sign-in, step 2: a visible countdown until another code may be requested. The server enforces the pause;
// this only keeps the button from being pressed too early and shows how long is left.
const resend = /** @type {HTMLElement | null} */ (document.querySelector("[data-resend]"));
const button = /** @type {HTMLButtonElement | null | undefined} */ (resend?.querySelector("[data-resend-button]"));
const timer = /** @type {HTMLElement | null | undefined} */ (resend?.querySelector("[data-resend-timer]"));
const left = resend?.querySelector("[data-resend-left]");
if (resend && button && timer && left) {
  const until = Date.now() + Number(resend.dataset.wait || 0) * 1000;
  const tick = () => {
    const seconds = Math.max(0, Math.ceil((until - Date.now()) / 1000));
    left.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
    button.disabled = seconds > 0;
    timer.hidden = seconds === 0;
    if (seconds > 0) setTimeout(tick, 250);
  };
  tick();
}
// The code field takes digits only, so a code pasted with spaces or typed on a full keyboard still fits.
const code = /** @type {HTMLInputElement | null} */ (document.querySelector("input[name=code]"));
if (code) {
  code.addEventListener("input", () => {
    const digits = code.value.replace(/\D/g, "").slice(0, 6);
    if (digits !== code.value) code.value = digits;
  });
}
