// The outbox: an org's recipient rows, newest first, searchable by address; or, for an org that
// has sent nothing yet, the first curl to run.
import { fill } from "./api.js";
import { h, timeEl } from "./dom.js";
import { addressOf, channelName, eventList } from "./outcomes.js";
import { PATHS } from "./wire.js";

export const ROW_LIMIT = 100;

export function searchBox(search, onSearch) {
  const input = h("input", {
    id: "search", type: "search", value: search, placeholder: "ada@example.com, +1555…",
    autocomplete: "off", spellcheck: "false", oninput: (e) => onSearch(e.target.value),
  });
  return h("div", { class: "search", role: "search" },
    h("label", { for: "search" }, "Search by address"), input);
}

export function outboxBody({ org, rows, broadcasts, search, filter, key }) {
  const filtered = filter ? broadcasts.find((b) => b.id === filter) : null;
  const caption = filtered ? `Messages of “${filtered.name}”, newest first` : "Messages, newest first";
  if (rows.length) return rowsTable(org, rows, caption);
  if (search || filter) return h("p", { class: "empty-note" }, "No message matches.");
  return emptyState(org, broadcasts, key);
}

function rowsTable(org, rows, caption) {
  return h("table", { class: "rows" },
    h("caption", {}, caption,
      rows.length >= ROW_LIMIT ? h("span", { class: "muted" }, ` · the newest ${ROW_LIMIT}`) : null),
    h("thead", {}, h("tr", { role: "row" },
      ["Created", "Channel", "To", "Broadcast", "Outcome"].map((t) =>
        h("th", { scope: "col", role: "columnheader" }, t)))),
    h("tbody", {}, rows.map((row) => rowEl(org, row))));
}

function rowEl(org, row) {
  const href = `#/org/${encodeURIComponent(org.id)}/message/${encodeURIComponent(row.id)}`;
  const to = addressOf(row) || "(no address)";
  return h("tr", { role: "row", dataset: { recipientId: row.id }, class: `row-${row.status.toLowerCase()}` },
    h("td", { role: "cell", "data-label": "Created" }, timeEl(row.created_at)),
    h("td", { role: "cell", "data-label": "Channel" },
      h("span", { class: `channel channel-${row.integration_id}` }, channelName(row.integration_id))),
    h("td", { role: "cell", "data-label": "To", class: "to" },
      h("a", { href, dataset: { focus: `row-${row.id}` } }, to),
      row.name ? h("span", { class: "muted name" }, row.name) : null),
    h("td", { role: "cell", "data-label": "Broadcast", class: "broadcast" }, row.broadcast_name),
    h("td", { role: "cell", "data-label": "Outcome" }, eventList(row),
      row.error_message ? h("div", { class: "error-text" }, row.error_message) : null));
}

function emptyState(org, broadcasts, key) {
  const command = firstCurl(org, broadcasts, key);
  const copy = h("button", { type: "button", class: "small", onclick: async () => {
    try {
      await navigator.clipboard.writeText(command);
      copy.textContent = "Copied";
    } catch {
      copy.textContent = "Select the text to copy";
    }
  } }, "Copy");
  return h("section", { class: "empty", "aria-labelledby": "empty-h" },
    h("h2", { id: "empty-h" }, "Nothing sent yet"),
    h("p", {}, `Point your app at ${location.origin} with this org’s key, or run this. `,
      "The message shows up here at once."),
    h("pre", { class: "curl", tabindex: "0", "aria-label": "The first request to send" },
      h("code", {}, command)),
    copy,
    key ? null : h("p", { class: "muted" }, "This org has no API key of its own or of a parent."));
}

function firstCurl(org, broadcasts, key) {
  const base = location.origin;
  const auth = `-H 'Authorization: Bearer ${key ? key.key : "<api key>"}'`;
  const orgPath = key && key.own ? "c" : org.id;
  const target = broadcasts.find((b) => b.type === "TRANSACTIONAL" && b.status === "ACTIVE");
  if (!target) {
    return `curl -s ${base}${fill(PATHS.BROADCASTS, { org_id: orgPath })} \\\n  ${auth}`;
  }
  const email = target.templates.some((t) => t.integration_id === "gmail");
  const body = { [email ? "email" : "phone"]: email ? "ada@example.com" : "+15550100001" };
  const names = Object.keys(target.properties || {});
  if (names.length) body.variables = Object.fromEntries(names.map((n) => [n, sample(n)]));
  const send = fill(PATHS.BROADCAST_SEND, { org_id: orgPath, broadcast_id: target.id });
  return `curl -s -X POST ${base}${send} \\\n` +
    `  ${auth} -H 'Content-Type: application/json' \\\n` +
    `  -d '${JSON.stringify(body)}'`;
}

function sample(name) {
  return /otp|code/i.test(name) ? "123456" : /name/i.test(name) ? "Ada" : "value";
}
