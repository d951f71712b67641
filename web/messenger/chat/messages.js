/**
 * One message on screen: author, the quote it replies to, attachments, text, time, state. Text comes only from the
 * API's `html` (escaped and sanitized by the server); a pending message shows its own text as plain text.
 */
import { h, html, icon } from "./dom.js";
import { duration, fileSize, fullDateTime, time } from "./format.js";
import { t } from "./i18n.js";

function attachmentView(attachment, onPhoto) {
  const name = attachment.name;
  if (attachment.kind === "image") {
    const image = h("img", {
      src: attachment.thumbnail_url ?? attachment.url,
      alt: name,
      loading: "lazy",
      width: attachment.width && attachment.height ? thumbSize(attachment).width : null,
      height: attachment.width && attachment.height ? thumbSize(attachment).height : null,
    });
    return h(
      "a",
      {
        href: attachment.url,
        class: "msg-photo",
        target: "_blank",
        rel: "noopener",
        title: t("open_photo"),
        onclick: (event) => {
          if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
          event.preventDefault();
          onPhoto(attachment);
        },
      },
      image,
    );
  }
  if (attachment.kind === "audio") {
    return h("figure", { class: "msg-media" },
      h("audio", { controls: true, preload: "metadata", src: attachment.url, "aria-label": name }),
      h("figcaption", {}, h("a", { href: attachment.download_url, download: name }, name), " · ", fileSize(attachment.size)));
  }
  if (attachment.kind === "video") {
    // Inline, with seeking (the attachment view answers Range requests), the poster frame until it plays.
    const length = attachment.duration_ms ? duration(attachment.duration_ms) : null;
    return h("figure", { class: "msg-media msg-video", "data-duration-ms": attachment.duration_ms ?? null },
      h("video", {
        controls: true,
        preload: "metadata",
        src: attachment.url,
        poster: attachment.poster_url ?? attachment.thumbnail_url ?? null,
        "aria-label": name,
        playsinline: true,
        width: attachment.width && attachment.height ? attachment.width : null,
        height: attachment.width && attachment.height ? attachment.height : null,
      }),
      h("figcaption", {}, h("a", { href: attachment.download_url, download: name }, name),
        length ? [" · ", h("span", { class: "msg-video-duration", title: t("video_duration", { duration: length }) }, length)]
          : null,
        " · ", fileSize(attachment.size)));
  }
  return h(
    "a",
    { href: attachment.download_url, download: name, class: "msg-file" },
    icon("file"),
    h("span", { class: "msg-file-name" }, name),
    h("span", { class: "msg-file-size" }, fileSize(attachment.size)),
  );
}

function thumbSize({ width, height }) {
  const scale = Math.min(1, 320 / Math.max(width, height));
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

function quote(reply, onJump) {
  if (!reply) return null;
  const text = reply.is_deleted ? t("message_deleted") : reply.text || t("attachment");
  return h(
    "button",
    { type: "button", class: "msg-quote", title: t("go_to_message"), onclick: () => onJump?.(reply) },
    h("span", { class: "msg-quote-author" }, reply.sender?.short_name ?? t("deleted_profile")),
    h("span", { class: "msg-quote-text" }, text),
  );
}

/**
 * @param {any} message  MessageOut, or a pending item: clientId, text, files, replyTo, state, error, createdAt
 * @param {{me: any, showAuthor: boolean, handlers: any}} options  handlers: onJump, onPhoto, onMenu, onRetry, onDiscard
 */
export function messageElement(message, { me, showAuthor, handlers }) {
  const pending = !("seq" in message);
  const own = pending || message.sender?.id === me.id;
  const classes = ["msg", own ? "msg-own" : "msg-other"];
  if (!pending && message.is_deleted) classes.push("msg-deleted");
  if (pending) classes.push(message.state === "sending" ? "msg-pending" : "msg-failed");
  const article = h("article", {
    class: classes.join(" "),
    id: pending ? `msg-pending-${message.clientId}` : `msg-${message.id}`,
    "data-seq": pending ? null : message.seq,
    "data-id": pending ? null : message.id,
    "data-client-id": pending ? message.clientId : message.client_id,
    "data-sender": pending ? me.id : message.sender?.id ?? "",
    tabindex: "-1",
  });
  const bubble = h("div", { class: "msg-bubble" });
  article.append(bubble);
  if (showAuthor && !own) {
    bubble.append(h("div", { class: "msg-author" }, message.sender?.short_name ?? t("deleted_profile")));
  }
  if (!pending && message.is_deleted) {
    bubble.append(h("p", { class: "msg-text msg-deleted-text" }, t("message_deleted")));
    bubble.append(meta(message, { pending }));
    return article;
  }
  const replied = quote(pending ? message.replyTo : message.reply_to, handlers.onJump);
  if (replied) bubble.append(replied);
  if (pending) {
    if (message.files?.length) {
      bubble.append(h("ul", { class: "msg-pending-files" },
        message.files.map((file) => h("li", {}, icon("file"), ` ${file.name} · ${fileSize(file.size)}`))));
    }
    if (message.text) bubble.append(h("div", { class: "msg-text msg-plain" }, message.text));
  } else {
    if (message.attachments.length) {
      bubble.append(h("div", { class: "msg-attachments" },
        message.attachments.map((a) => attachmentView(a, handlers.onPhoto))));
    }
    if (message.html) bubble.append(html(h("div", { class: "msg-text" }), message.html));
  }
  bubble.append(meta(message, { pending }));
  if (pending && message.state !== "sending") {
    bubble.append(h("p", { class: "msg-error", role: "alert" }, message.error || t("not_sent")));
    bubble.append(h("div", { class: "msg-retry" },
      message.retryable
        ? h("button", { type: "button", class: "chat-link-button", onclick: () => handlers.onRetry(message) }, t("retry"))
        : null,
      h("button", { type: "button", class: "chat-link-button", onclick: () => handlers.onDiscard(message) },
        t("back_to_composer"))));
  }
  if (!pending) {
    article.append(h("button", {
      type: "button",
      class: "msg-menu-button chat-icon-button",
      "aria-label": t("message_actions"),
      title: t("message_actions"),
      "aria-haspopup": "menu",
      "aria-expanded": "false",
      onclick: (event) => handlers.onMenu(message, event.currentTarget),
    }, icon("more")));
  }
  return article;
}

function meta(message, { pending }) {
  const created = pending ? message.createdAt : message.created_at;
  const parts = [];
  if (!pending && message.edited_at && !message.is_deleted) parts.push(h("span", { class: "msg-edited" }, t("edited")));
  parts.push(h("time", { datetime: created, title: fullDateTime(created) }, time(created)));
  if (pending && message.state === "sending") parts.push(h("span", { class: "msg-state" }, t("sending")));
  return h("div", { class: "msg-meta" }, parts);
}
