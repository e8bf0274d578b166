// The webhook log of the org: every delivery, its attempts and its payload.
import { h, timeEl } from "./dom.js";

export function webhooksView(deliveries) {
  if (!deliveries.length) {
    return h("section", { class: "empty" },
      h("h2", {}, "No webhook deliveries"),
      h("p", {}, "Add a ", h("code", {}, "webhooks:"),
        " entry to the scenario and every recipient event of this org is POSTed there and logged here."));
  }
  return h("table", { class: "rows webhooks" },
    h("caption", {}, "Webhook deliveries, newest first"),
    h("thead", {}, h("tr", { role: "row" }, ["Event", "State", "Attempts", "URL"].map((t) =>
      h("th", { scope: "col", role: "columnheader" }, t)))),
    h("tbody", {}, deliveries.map(deliveryRow)));
}

function recipientOf(payload) {
  const row = payload?.data || {};
  return row.email || row.phone || row.user_id || "";
}

function deliveryRow(d) {
  const last = d.attempts.at(-1);
  return h("tr", { role: "row" },
    h("td", { role: "cell", "data-label": "Event" },
      h("details", { dataset: { keep: d.id } },
        h("summary", { dataset: { focus: `wh-${d.id}` } }, d.event, " ",
          h("span", { class: "muted" }, recipientOf(d.payload))),
        h("pre", {}, JSON.stringify(d.payload, null, 2)))),
    h("td", { role: "cell", "data-label": "State" },
      h("span", { class: `badge badge-wh-${d.state}` }, d.state),
      d.next_attempt_at ? [" next ", timeEl(d.next_attempt_at)] : null),
    h("td", { role: "cell", "data-label": "Attempts" },
      d.attempts.length ? [String(d.attempts.length), " · last ", timeEl(last.at), " → ",
        last.status ?? last.error ?? "—"] : "none yet"),
    h("td", { role: "cell", "data-label": "URL", class: "url" }, d.url));
}
