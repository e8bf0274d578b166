// The emulator's control surface (same origin) and nothing else. With an admin token, every
// call carries it in a header, never in a URL; it is kept for this tab only (sessionStorage).

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

function query(params) {
  const pairs = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "");
  return pairs.length ? "?" + new URLSearchParams(pairs).toString() : "";
}

export const api = {
  orgs: () => call("GET", "/_emulator/orgs"),
  broadcasts: (org) => call("GET", `/_emulator/orgs/${enc(org)}/broadcasts`),
  messages: (org, { q, broadcastId, includeSkipped, page, take }) =>
    call("GET", "/_emulator/messages" + query({
      org_id: org, q, broadcast_id: broadcastId,
      include_skipped: includeSkipped ? "true" : null, page, take,
    })),
  message: (org, recipientId) =>
    call("GET", `/_emulator/orgs/${enc(org)}/messages/${enc(recipientId)}`),
  deleteMessage: (org, recipientId) =>
    call("DELETE", `/_emulator/orgs/${enc(org)}/messages/${enc(recipientId)}`),
  clearMessages: (org) => call("DELETE", "/_emulator/messages" + query({ org_id: org })),
  webhooks: (org) => call("GET", "/_emulator/webhooks" + query({ org_id: org })),
  advance: (org, seconds) => call("POST", "/_emulator/clock/advance", { org_id: org, seconds }),
  reset: (org) => call("POST", "/_emulator/reset", { org_id: org }),
  // A transactional broadcast with one email template, active: something the empty state's
  // command can really send. The public API makes it (with the org's key); the control
  // surface adds the template and activates it.
  createTestBroadcast: async (org, key) => {
    const orgPath = key.own ? "c" : org.id;
    const made = (await call("POST", `/orgs/${enc(orgPath)}/broadcasts`,
      { name: "Inbox test", type: "TRANSACTIONAL" },
      { Authorization: `Bearer ${key.key}` })).json();
    await call("POST", `/_emulator/orgs/${enc(org.id)}/broadcasts/${enc(made.id)}/templates`, {
      integration_id: "gmail",
      config: { subject: "Hello from the inbox", body: "<p>Hi {{name}}, it works.</p>" },
    });
    await call("POST", `/_emulator/orgs/${enc(org.id)}/broadcasts/${enc(made.id)}/activate`);
    return made.id;
  },
};
