// The emulator's control surface (same origin) and nothing else. Its paths come from the server
// (wire.js is generated from emulator/paths.py).
import { PATHS } from "./wire.js";

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function call(method, path, body) {
  const init = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try { message = JSON.parse(text).message || message; } catch { /* not the envelope */ }
    throw new ApiError(message, response.status);
  }
  return { text, json: () => JSON.parse(text) };
}

const enc = encodeURIComponent;

// A route template with its {names} filled in, each value encoded.
export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, name) => enc(values[name]));
}

function query(params) {
  const pairs = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "");
  return pairs.length ? "?" + new URLSearchParams(pairs).toString() : "";
}

export const api = {
  orgs: () => call("GET", PATHS.ORGS),
  broadcasts: (org) => call("GET", fill(PATHS.ORG_BROADCASTS, { org_id: org })),
  rows: (org, { q, broadcastId, limit = 100 }) =>
    call("GET", fill(PATHS.ORG_RECIPIENTS, { org_id: org }) +
      query({ q, broadcast_id: broadcastId, limit })),
  message: (org, recipientId) =>
    call("GET", fill(PATHS.ORG_MESSAGE, { org_id: org, recipient_id: recipientId })),
  webhooks: (org) => call("GET", PATHS.WEBHOOKS + query({ org_id: org })),
  advance: (org, seconds) => call("POST", PATHS.CLOCK_ADVANCE, { org_id: org, seconds }),
  reset: (org) => call("POST", PATHS.RESET, { org_id: org }),
};
