// One message, in tabs: Rendered (an email in a sandboxed frame sized to its content, a text
// as a chat bubble), Text, Source (the outbox JSON, copyable) and Details (the row, variables,
// the timeline and why). Each fact is shown once.
import { h, timeEl } from "./dom.js";
import { EMAIL_CHANNELS, badge, channelName, eventsOf } from "./outcomes.js";
import { headline, plainText, wrappable } from "./outbox.js";

const CHAT_CHANNELS = new Set(["twilio", "telnyx", "whatsapp_bot", "messenger_bot",
  "instagram_dm", "slack_bot", "telegram_bot"]);

export const TABS = [["rendered", "Rendered"], ["text", "Text"], ["source", "Source"],
  ["details", "Details"]];

export function messageHead(org, message, onDelete) {
  const { subject } = headline(message);
  return [
    h("a", { href: `#/org/${encodeURIComponent(org.id)}`, class: "back",
      dataset: { focus: "back" } }, "← Back to the outbox"),
    h("div", { class: "message-title" },
      h("h2", { id: "message-h", tabindex: "-1" }, subject),
      h("button", { type: "button", class: "danger small", dataset: { focus: "delete" },
        onclick: onDelete }, "Delete")),
    h("p", { class: "message-meta" },
      `${channelName(message.integration_id)} to `,
      h("span", { class: "address" }, wrappable(message.to || "(no address)")), " · ",
      badge(message.outcome), " · ", timeEl(message.created_at, { long: true })),
  ];
}

// The tab list; the panels are filled by the functions below.
export function tabList(current, onChoose) {
  const tabs = TABS.map(([id, label]) => h("button", {
    type: "button", role: "tab", id: `tab-${id}`, "aria-controls": `panel-${id}`,
    "aria-selected": String(current === id), tabindex: current === id ? "0" : "-1",
    onclick: () => onChoose(id),
  }, label));
  const list = h("div", { class: "message-tabs", role: "tablist", "aria-label": "Views of the message" }, tabs);
  list.addEventListener("keydown", (e) => {
    const index = TABS.findIndex(([id]) => id === current);
    const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (!step) return;
    e.preventDefault();
    const next = TABS[(index + step + TABS.length) % TABS.length][0];
    onChoose(next);
    document.getElementById(`tab-${next}`)?.focus();
  });
  return list;
}

export function panel(id, current, ...children) {
  return h("section", { id: `panel-${id}`, role: "tabpanel", "aria-labelledby": `tab-${id}`,
    hidden: current !== id, class: `tab-panel panel-${id}` }, children);
}

export function renderedView(message) {
  const view = EMAIL_CHANNELS.has(message.integration_id) ? emailView(message)
    : CHAT_CHANNELS.has(message.integration_id) || typeof message.body === "string"
      ? chatView(message) : h("pre", { class: "raw" }, JSON.stringify(message.content, null, 2));
  if (!message.is_skipped) return view;
  return [h("p", { class: "notice" }, "Not sent (skipped). This is what it would have said:"), view];
}

export function textView(message) {
  const text = EMAIL_CHANNELS.has(message.integration_id) ? plainText(message.body)
    : typeof message.body === "string" ? message.body : JSON.stringify(message.content, null, 2);
  return h("pre", { class: "text-view" }, text || "(empty)");
}

export function sourceView(message) {
  const { row, ...outbox } = message; // the outbox's JSON, as /_emulator/messages answers it
  const text = JSON.stringify(outbox, null, 2);
  const copy = h("button", { type: "button", class: "small", dataset: { focus: "copy-source" },
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(text);
        copy.textContent = "Copied";
      } catch {
        copy.textContent = "Select the text to copy";
      }
    } }, "Copy JSON");
  return [copy, h("pre", { class: "source", tabindex: "0", "aria-label": "The outbox JSON" }, text)];
}

export function detailsView(message) {
  return h("div", { class: "panels" }, rowFacts(message), whyPanel(message),
    timelinePanel(message), variablesPanel(message));
}

function emailView(message) {
  const frame = h("iframe", {
    title: "Email body", class: "email-body", referrerpolicy: "no-referrer",
    // No scripts ever; the same origin only so the page can measure the frame's content and
    // size it (nothing in it can run to use that).
    sandbox: "allow-same-origin",
  });
  frame.srcdoc = emailDocument(message.body);
  frame.addEventListener("load", () => fitFrame(frame));
  return h("section", { class: "email", "aria-label": "Email" },
    h("div", { class: "subject" }, h("span", { class: "muted" }, "Subject "),
      h("strong", {}, message.subject ?? "(no subject)")),
    frame, extraFields(message.content, ["subject", "body"]));
}

export function fitFrame(frame) {
  const doc = frame.contentDocument;
  if (!doc || !doc.documentElement || frame.offsetParent === null) return;
  frame.style.height = "0px";
  frame.style.height = `${Math.max(40, doc.documentElement.scrollHeight)}px`;
}

function emailDocument(body) {
  const text = body == null ? "" : String(body);
  const looksLikeHtml = /<[a-z][\s\S]*>/i.test(text);
  const inner = looksLikeHtml ? text : `<div class="plain">${escapeHtml(text)}</div>`;
  return "<!doctype html><html><head><meta charset=\"utf-8\"><style>" +
    "body{font:15px/1.55 system-ui,sans-serif;color:#1f2937;margin:16px;overflow-wrap:anywhere}" +
    ".plain{white-space:pre-wrap}</style></head><body>" + inner + "</body></html>";
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) =>
    ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function chatView(message) {
  const text = typeof message.body === "string" ? message.body : JSON.stringify(message.content);
  return h("section", { class: `chat chat-${message.integration_id}`, "aria-label": "Conversation" },
    h("div", { class: "bubble" },
      h("p", {}, text),
      h("span", { class: "bubble-meta" }, timeEl(message.created_at))),
    extraFields(message.content, ["body"]));
}

function extraFields(content, shown) {
  const rest = Object.fromEntries(Object.entries(content || {}).filter(([k]) => !shown.includes(k)));
  if (!Object.keys(rest).length) return null;
  return h("details", { class: "extra", dataset: { keep: "extra" } }, h("summary", {}, "Other template fields"),
    h("pre", {}, JSON.stringify(rest, null, 2)));
}

function rowFacts(message) {
  const row = message.row;
  const pairs = [
    ["Broadcast", `${row.broadcast_name} (${row.broadcast_id})`],
    ["Template", row.template_id],
    ["Recipient row", row.id],
    ["Contact", !row.contact ? "—"
      : row.contact.name ? `${row.contact.name} (${row.contact.id})` : row.contact.id],
    ["Row status", row.status],
    ["Provider message id", row.external_message_id || "—"],
  ];
  return h("section", { class: "panel", "aria-labelledby": "row-h" },
    h("h3", { id: "row-h" }, "Row"),
    h("dl", { class: "meta" },
      pairs.map(([k, v]) => h("div", {}, h("dt", {}, k), h("dd", {}, v)))));
}

const WHY_DETAILS = [["kind", "Decided by"], ["rule", "Rule"], ["where", "Where"],
  ["draw", "Drawn value"], ["step", "Sequence step"]];

function whyPanel(message) {
  const why = message.why ?? null;
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

// The error is said once, on the event it belongs to (the last failing one).
function timelinePanel(message) {
  const row = message.row;
  const events = eventsOf(row);
  const failing = events.filter((e) => ["failed", "bounced", "skipped"].includes(e.name)).at(-1);
  const items = [h("li", {}, badge("created"), " ", timelineTime(row.created_at, null))];
  let previous = row.created_at;
  for (const event of events) {
    items.push(h("li", {}, badge(event.name), " ", timelineTime(event.at, previous),
      event === failing && row.error_message ? h("div", { class: "error-text" }, row.error_message) : null));
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

