// Commands the page offers to copy, quoted for a POSIX shell: every value in single quotes
// (a quote inside becomes '\''), so a scenario's names and values can never run anything when
// the command is pasted.
import { fill } from "./api.js";
import { PATHS } from "./wire.js";

export function shq(value) {
  return `'${String(value).replace(/'/g, "'\\''")}'`;
}

// A send the org can really make: its transactional, active broadcast with a template, the
// variables its templates use filled with sample values.
export function sendCommand({ base, orgPath, broadcast, key }) {
  const email = broadcast.templates.some((t) => t.integration_id === "gmail");
  const body = { [email ? "email" : "phone"]: email ? "ada@example.com" : "+15550100001" };
  const names = Object.keys(broadcast.properties || {});
  if (names.length) body.variables = Object.fromEntries(names.map((n) => [n, sample(n)]));
  const url = base + fill(PATHS.BROADCAST_SEND, { org_id: orgPath, broadcast_id: broadcast.id });
  return [
    `curl -s -X POST ${shq(url)}`,
    `  -H ${shq(`Authorization: Bearer ${key}`)}`,
    `  -H ${shq("Content-Type: application/json")}`,
    `  -d ${shq(JSON.stringify(body))}`,
  ].join(" \\\n");
}

export function sendable(broadcasts) {
  return broadcasts.find((b) => b.type === "TRANSACTIONAL" && b.status === "ACTIVE"
    && b.templates.length) || null;
}

function sample(name) {
  return /otp|code/i.test(name) ? "123456" : /name/i.test(name) ? "Ada" : "value";
}
