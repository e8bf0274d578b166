// The outbox as an inbox: the org's messages newest first, one page at a time, with subject,
// a one-line preview, recipient, channel, outcome and the date on the org's clock; a search
// over subject, body and address; skipped rows behind a toggle. For an org that has sent
// nothing yet, a command that really sends it a message.
import { h, listDate } from "./dom.js";
import { badge, channelName } from "./outcomes.js";
import { sendCommand, sendable } from "./shell.js";

export const PAGE_SIZE = 50;

export function listControls({ search, includeSkipped, onSearch, onSkipped, onClear }) {
  const input = h("input", {
    id: "search", type: "search", value: search, placeholder: "subject, text or address",
    autocomplete: "off", spellcheck: "false", oninput: (e) => onSearch(e.target.value),
  });
  return h("div", { class: "list-controls" },
    h("div", { class: "search", role: "search" },
      h("label", { for: "search" }, "Search"), input),
    h("label", { class: "toggle" },
      h("input", { type: "checkbox", id: "show-skipped", checked: includeSkipped,
        onchange: (e) => onSkipped(e.target.checked) }), " Show skipped"),
    h("button", { type: "button", class: "danger small", id: "clear-all", onclick: onClear },
      "Clear all"));
}

// Subject (or a chat body's first line) and a one-line preview.
export function headline(message) {
  if (typeof message.subject === "string" && message.subject.trim()) {
    return { subject: message.subject, preview: plainText(message.body) };
  }
  const text = typeof message.body === "string" ? message.body
    : message.body == null ? "" : JSON.stringify(message.body);
  const [first, ...rest] = text.trim().split("\n");
  return { subject: first || "(no subject)", preview: rest.join(" ") };
}

// The text of an email body: parsed as an inert document (no script runs, nothing loads).
export function plainText(body) {
  if (body == null) return "";
  const text = typeof body === "string" ? body : JSON.stringify(body);
  if (!/<[a-z][\s\S]*>/i.test(text)) return text;
  const doc = new DOMParser().parseFromString(text, "text/html");
  return (doc.body.textContent || "").replace(/\s+/g, " ").trim();
}

export function listBody({ org, messages, count, page, filtered, broadcasts, key, onPage,
  onCreate }) {
  if (!messages.length && page === 1) {
    return filtered ? h("p", { class: "empty-note" }, "No message matches.")
      : emptyState(org, broadcasts, key, onCreate);
  }
  const first = (page - 1) * PAGE_SIZE + 1;
  const last = first + messages.length - 1;
  return [
    h("div", { class: "list-head" },
      h("h2", { id: "list-h" }, "Messages ",
        h("span", { class: "muted count" }, count ? `${first}–${last} of ${count.toLocaleString("en")}` : "none")),
      pager(page, count, onPage)),
    h("ul", { class: "inbox", "aria-labelledby": "list-h" },
      messages.map((m) => item(org, m))),
  ];
}

function pager(page, count, onPage) {
  const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  if (pages === 1) return null;
  return h("nav", { class: "pager", "aria-label": "Pages" },
    h("button", { type: "button", class: "small", disabled: page <= 1,
      dataset: { focus: "newer" }, onclick: () => onPage(page - 1) }, "Newer"),
    h("span", { class: "muted" }, `Page ${page} of ${pages}`),
    h("button", { type: "button", class: "small", disabled: page >= pages,
      dataset: { focus: "older" }, onclick: () => onPage(page + 1) }, "Older"));
}

function item(org, message) {
  const { subject, preview } = headline(message);
  const href = `#/org/${encodeURIComponent(org.id)}/message/${encodeURIComponent(message.recipient_id)}`;
  return h("li", { class: `item outcome-${message.outcome}`, dataset: { id: message.recipient_id } },
    h("a", { class: "item-link", href, dataset: { focus: `msg-${message.recipient_id}` } },
      h("span", { class: "item-top" },
        h("span", { class: "item-to" }, wrappable(message.to || "(no address)")),
        h("time", { datetime: message.created_at, title: message.created_at },
          listDate(message.created_at))),
      h("span", { class: "item-text" },
        h("span", { class: "item-subject" }, subject),
        preview ? h("span", { class: "item-preview" }, ` — ${preview}`) : null),
      h("span", { class: "item-tags" },
        h("span", { class: `channel channel-${message.integration_id}` },
          channelName(message.integration_id)),
        badge(message.outcome))));
}

// An address may break after `@`, `.`, `+`, `-` and `_`, never inside a word.
export function wrappable(address) {
  const parts = String(address).split(/(?<=[@.+_-])/);
  return parts.flatMap((part, i) => (i ? [h("wbr"), part] : [part]));
}

function emptyState(org, broadcasts, key, onCreate) {
  const target = sendable(broadcasts);
  const parts = [h("h2", { id: "empty-h" }, "Nothing sent yet")];
  if (!key) {
    parts.push(h("p", {}, "This org has no API key of its own or of a parent, so nothing can " +
      "send to it from outside."));
  } else if (!target) {
    parts.push(h("p", {}, "This org has no active transactional broadcast with a template to " +
      "send. Make one to try the inbox:"),
    h("button", { type: "button", id: "create-test", onclick: onCreate },
      "Create a test broadcast"));
  } else {
    const command = sendCommand({ base: location.origin, orgPath: key.own ? "c" : org.id,
      broadcast: target, key: key.key });
    const copy = h("button", { type: "button", class: "small", onclick: async () => {
      try {
        await navigator.clipboard.writeText(command);
        copy.textContent = "Copied";
      } catch {
        copy.textContent = "Select the text to copy";
      }
    } }, "Copy");
    parts.push(
      h("p", {}, `Point your app at ${location.origin} with this org’s key, or run this: it sends `,
        h("strong", {}, target.name), " to ada@example.com, and the message shows up here at once."),
      h("pre", { class: "curl", tabindex: "0", "aria-label": "A command that sends a message" },
        h("code", {}, command)),
      copy);
  }
  return h("section", { class: "empty", "aria-labelledby": "empty-h" }, parts);
}
