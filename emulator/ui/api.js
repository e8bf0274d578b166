// The emulator's control surface (same origin) and nothing else.

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

function query(params) {
  const pairs = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "");
  return pairs.length ? "?" + new URLSearchParams(pairs).toString() : "";
}

export const api = {
  orgs: () => call("GET", "/_emulator/orgs"),
  broadcasts: (org) => call("GET", `/_emulator/orgs/${enc(org)}/broadcasts`),
  rows: (org, { q, broadcastId, limit = 100 }) =>
    call("GET", `/_emulator/orgs/${enc(org)}/recipients` +
      query({ q, broadcast_id: broadcastId, limit })),
  message: (org, recipientId) =>
    call("GET", `/_emulator/orgs/${enc(org)}/messages/${enc(recipientId)}`),
  webhooks: (org) => call("GET", "/_emulator/webhooks" + query({ org_id: org })),
  advance: (org, seconds) => call("POST", "/_emulator/clock/advance", { org_id: org, seconds }),
  reset: (org) => call("POST", "/_emulator/reset", { org_id: org }),
};
