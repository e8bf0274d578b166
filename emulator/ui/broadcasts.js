// The org's broadcasts with their status, type and counters; choosing one narrows the outbox.
import { h } from "./dom.js";

const ALWAYS = ["recipients", "sent", "delivered", "opened", "failed", "skipped"];
const WHEN_ANY = ["played", "click", "complained", "unsubscribed"];

export function broadcastsView(broadcasts, filter, onFilter) {
  if (!broadcasts.length) return h("p", { class: "muted" }, "This org has no broadcasts.");
  const items = broadcasts.map((b) => h("li", {},
    h("button", {
      type: "button", class: "broadcast-card", "aria-pressed": String(filter === b.id),
      dataset: { focus: `bc-${b.id}` }, onclick: () => onFilter(filter === b.id ? null : b.id),
    },
    h("span", { class: "bc-name" }, b.name),
    h("span", { class: "bc-tags" },
      h("span", { class: `status status-${b.status}` }, b.status),
      h("span", { class: "type" }, b.type.toLowerCase())),
    counters(b))));
  return [
    filter ? h("button", { type: "button", class: "link", onclick: () => onFilter(null),
      dataset: { focus: "bc-all" } }, "Show every broadcast") : null,
    h("ul", { class: "broadcast-list" }, items),
  ];
}

function counters(b) {
  const shown = [...ALWAYS, ...WHEN_ANY.filter((name) => b[`${name}_count`] > 0)];
  return h("dl", { class: "counters" }, shown.map((name) =>
    h("div", {}, h("dt", {}, name), h("dd", {}, String(b[`${name}_count`])))));
}
