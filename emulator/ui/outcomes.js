// What a recipient row's flags and channel mean, in words.
import { h, timeEl } from "./dom.js";
// The outcome flags in the order they happen to a message (the order shown when several happen
// at the same moment), from the server; a badge's text is the flag's name.
import { FLAGS } from "./wire.js";

const CHANNELS = {
  gmail: "Email", twilio: "SMS · Twilio", telnyx: "SMS · Telnyx", whatsapp_bot: "WhatsApp",
  messenger_bot: "Messenger", instagram_dm: "Instagram", slack_bot: "Slack",
  telegram_bot: "Telegram", google_calendar: "Calendar", internal: "Internal", custom: "Custom",
};

export const EMAIL_CHANNELS = new Set(["gmail"]);

export function channelName(integration) {
  return CHANNELS[integration] || integration;
}

export function addressOf(row) {
  if (EMAIL_CHANNELS.has(row.integration_id)) return row.email || row.user_id || "";
  if (["twilio", "telnyx", "whatsapp_bot"].includes(row.integration_id)) {
    return row.phone || row.user_id || "";
  }
  return row.email || row.phone || row.user_id || "";
}

// Each event that happened to the row, in the order of the org's clock.
export function eventsOf(row) {
  return FLAGS
    .filter((name) => row[`is_${name}`])
    .map((name, order) => ({ name, at: row[`is_${name}_at`], order }))
    .sort((a, b) => (a.at || "").localeCompare(b.at || "") || a.order - b.order);
}

export function badge(name, extraClass = "") {
  return h("span", { class: `badge badge-${name} ${extraClass}`.trim() }, name);
}

export function eventList(row) {
  const events = eventsOf(row);
  const items = events.map((e) => h("li", { class: "event" }, badge(e.name), " ", timeEl(e.at)));
  if (row.status === "SENDING") {
    items.push(h("li", { class: "event" }, badge("pending", "badge-pending")));
  }
  return h("ul", { class: "events", "aria-label": "Events" }, items);
}
