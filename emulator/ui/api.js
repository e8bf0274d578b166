// The emulator's control surface (same origin) and nothing else; its paths come from the
// server (wire.js is generated from emulator/paths.py). With an admin token, every call
// carries it in a header, never in a URL; it is kept for this tab only (sessionStorage).
import { PATHS } from "./wire.js";

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

const TOKEN_KEY = "invent-emulator-admin-token";

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) || "",
  set: (value) => {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};

export function authHeaders(extra = {}) {
  const headers = { Accept: "application/json", ...extra };
  const value = token.get();
  if (value) headers["X-Invent-Admin-Token"] = value;
  return headers;
}

async function call(method, path, body, extraHeaders = {}) {
  const init = { method, headers: authHeaders(extraHeaders), cache: "no-store" };
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
  return { text, json: () => JSON.parse(text), headers: response.headers };
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
  messages: (org, { q, broadcastId, includeSkipped, page, take }) =>
    call("GET", PATHS.MESSAGES + query({
      org_id: org, q, broadcast_id: broadcastId,
      include_skipped: includeSkipped ? "true" : null, page, take,
    })),
  message: (org, recipientId) =>
    call("GET", fill(PATHS.ORG_MESSAGE, { org_id: org, recipient_id: recipientId })),
  deleteMessage: (org, recipientId) =>
    call("DELETE", fill(PATHS.ORG_MESSAGE, { org_id: org, recipient_id: recipientId })),
  clearMessages: (org) => call("DELETE", PATHS.MESSAGES + query({ org_id: org })),
  webhooks: (org) => call("GET", PATHS.WEBHOOKS + query({ org_id: org })),
  advance: (org, seconds) => call("POST", PATHS.CLOCK_ADVANCE, { org_id: org, seconds }),
  reset: (org) => call("POST", PATHS.RESET, { org_id: org }),
  // A transactional broadcast with one email template, active: something the empty state's
  // command can really send. The public API makes it (with the org's key); the control
  // surface adds the template and activates it.
  createTestBroadcast: async (org, key) => {
    const orgPath = key.own ? "c" : org.id;
    const made = (await call("POST", fill(PATHS.BROADCASTS, { org_id: orgPath }),
      { name: "Inbox test", type: "TRANSACTIONAL" },
      { Authorization: `Bearer ${key.key}` })).json();
    const ids = { org_id: org.id, broadcast_id: made.id };
    await call("POST", fill(PATHS.ORG_BROADCAST_TEMPLATES, ids), {
      integration_id: "gmail",
      config: { subject: "Hello from the inbox", body: "<p>Hi {{name}}, it works.</p>" },
    });
    await call("POST", fill(PATHS.ORG_BROADCAST_ACTION, { ...ids, action: "activate" }));
    return made.id;
  },
};
