// One message: what was sent (an email in a sandboxed frame, a text as a chat bubble), the
// variables it used and missed, what happened to it, and why.
import { h, timeEl } from "./dom.js";
import { EMAIL_CHANNELS, addressOf, badge, channelName, eventsOf } from "./outcomes.js";

const CHAT_CHANNELS = new Set(["twilio", "telnyx", "whatsapp_bot", "messenger_bot",
  "instagram_dm", "slack_bot", "telegram_bot"]);

// The view comes in three parts so that polling can refresh what happened to the message without
// reloading the frame that shows what it said.
export function messageHead(org, message) {
  const row = message.row;
  return [
    h("a", { href: `#/org/${encodeURIComponent(org.id)}`, class: "back",
      dataset: { focus: "back" } }, "← Back to the outbox"),
    h("h2", { id: "message-h" }, `${channelName(row.integration_id)} to `,
      h("span", { class: "address" }, addressOf(row) || message.to || "(no address)")),
    metaList(row),
  ];
}

export function messageContent(message) {
  return content(message, message.row);
}

export function messagePanels(message) {
  return [whyPanel(message), timelinePanel(message.row), variablesPanel(message)];
}

function metaList(row) {
  const pairs = [
    ["Broadcast", `${row.broadcast_name} (${row.broadcast_id})`],
    ["Template", row.template_id],
    ["Recipient row", row.id],
    ["Contact", !row.contact ? "—"
      : row.contact.name ? `${row.contact.name} (${row.contact.id})` : row.contact.id],
    ["Status", row.status],
    ["Provider message id", row.external_message_id || "—"],
  ];
  if (row.error_message) pairs.push(["Error", row.error_message]);
  return h("dl", { class: "meta" },
    pairs.map(([k, v]) => h("div", {}, h("dt", {}, k), h("dd", {}, v))));
}

function content(message, row) {
  if (row.is_skipped) {
    return h("p", { class: "notice" },
      `Not sent: skipped (${row.error_message || "no reason given"}). This is what it would have said:`,
      rendered(message, row));
  }
  return rendered(message, row);
}

function rendered(message, row) {
  if (EMAIL_CHANNELS.has(row.integration_id)) return emailView(message);
  if (CHAT_CHANNELS.has(row.integration_id) || typeof message.body === "string") {
    return chatView(message, row);
  }
  return h("pre", { class: "raw" }, JSON.stringify(message.content, null, 2));
}

function emailView(message) {
  const frame = h("iframe", {
    title: "Email body", class: "email-body", sandbox: "", referrerpolicy: "no-referrer",
  });
  // srcdoc as a property: the body is the rendered template, shown in a frame that may run
  // no script and has an origin of its own.
  frame.srcdoc = emailDocument(message.body);
  return h("section", { class: "email", "aria-label": "Email" },
    h("div", { class: "subject" }, h("span", { class: "muted" }, "Subject "),
      h("strong", {}, message.subject ?? "(no subject)")),
    frame, extraFields(message.content, ["subject", "body"]));
}

function emailDocument(body) {
  const text = body == null ? "" : String(body);
  const looksLikeHtml = /<[a-z][\s\S]*>/i.test(text);
  const inner = looksLikeHtml ? text : `<div class="plain">${escapeHtml(text)}</div>`;
  return "<!doctype html><html><head><meta charset=\"utf-8\"><style>" +
    "body{font:15px/1.55 system-ui,sans-serif;color:#1f2937;margin:16px;word-wrap:break-word}" +
    ".plain{white-space:pre-wrap}</style></head><body>" + inner + "</body></html>";
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) =>
    ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function chatView(message, row) {
  const text = typeof message.body === "string" ? message.body : JSON.stringify(message.content);
  const last = eventsOf(row).at(-1);
  return h("section", { class: `chat chat-${row.integration_id}`, "aria-label": "Conversation" },
    h("div", { class: "bubble" },
      h("p", {}, text),
      h("span", { class: "bubble-meta" }, timeEl(row.created_at), last ? ` · ${last.name}` : "")),
    extraFields(message.content, ["body"]));
}

function extraFields(content, shown) {
  const rest = Object.fromEntries(Object.entries(content || {}).filter(([k]) => !shown.includes(k)));
  if (!Object.keys(rest).length) return null;
  return h("details", { class: "extra", dataset: { keep: "extra" } }, h("summary", {}, "Other template fields"),
    h("pre", {}, JSON.stringify(rest, null, 2)));
}

const WHY_DETAILS = [["kind", "Decided by"], ["rule", "Rule"], ["where", "Where"],
  ["draw", "Drawn value"], ["step", "Sequence step"]];

function whyPanel(message) {
  const why = message.why ?? message.row?.why ?? null;
  let body;
  if (!why) {
    body = h("p", { class: "muted why-summary" }, "not recorded");
  } else {
    const known = new Set(["summary", ...WHY_DETAILS.map(([k]) => k)]);
    const details = [...WHY_DETAILS, ...Object.keys(why).filter((k) => !known.has(k))
      .map((k) => [k, k])].filter(([k]) => why[k] !== undefined && why[k] !== null);
    body = [h("p", { class: "why-summary" }, why.summary || "(no summary)"),
      h("dl", { class: "why-details" }, details.map(([k, label]) =>
        h("div", {}, h("dt", {}, label), h("dd", {}, formatValue(why[k])))))];
  }
  return h("section", { class: "panel why", "aria-labelledby": "why-h" },
    h("h3", { id: "why-h" }, "Why this outcome"), body);
}

function formatValue(value) {
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

// The full date where the day changes (and first), the time of day otherwise.
function timelineTime(iso, previous) {
  return timeEl(iso, { long: !previous || previous.slice(0, 10) !== iso?.slice(0, 10) });
}

function timelinePanel(row) {
  const items = [h("li", {}, badge("created"), " ", timelineTime(row.created_at, null))];
  let previous = row.created_at;
  for (const event of eventsOf(row)) {
    const failedOne = ["failed", "bounced", "skipped"].includes(event.name);
    items.push(h("li", {}, badge(event.name), " ", timelineTime(event.at, previous),
      failedOne && row.error_message ? h("div", { class: "error-text" }, row.error_message) : null));
    previous = event.at;
  }
  if (row.status === "SENDING") {
    items.push(h("li", {}, badge("pending", "badge-pending"), " ",
      h("span", { class: "muted" }, "more events are due on the org’s clock")));
  }
  return h("section", { class: "panel", "aria-labelledby": "timeline-h" },
    h("h3", { id: "timeline-h" }, "Timeline"), h("ol", { class: "timeline" }, items));
}

function variablesPanel(message) {
  const vars = Object.entries(message.variables || {});
  const missing = message.missing_variables || [];
  return h("section", { class: "panel", "aria-labelledby": "vars-h" },
    h("h3", { id: "vars-h" }, "Variables"),
    vars.length
      ? h("table", { class: "vars" }, h("tbody", {}, vars.map(([k, v]) =>
        h("tr", {}, h("th", { scope: "row" }, k), h("td", {}, formatValue(v))))))
      : h("p", { class: "muted" }, "None used."),
    missing.length
      ? h("p", { class: "missing" }, h("strong", {}, "Missing: "),
        missing.map((name, i) => [i ? ", " : "", h("code", {}, name)]))
      : h("p", { class: "muted" }, "No placeholder left without a value."));
}
