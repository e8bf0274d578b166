// The route lives in the URL's hash, so links, Back and reloads work: #/org/{id}, then
// /webhooks or /message/{recipient id}.

export function parseRoute() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  if (parts[0] !== "org" || !parts[1]) return { orgId: null, view: "outbox" };
  if (parts[2] === "message" && parts[3]) {
    return { orgId: parts[1], view: "message", recipientId: parts[3] };
  }
  return { orgId: parts[1], view: parts[2] === "webhooks" ? "webhooks" : "outbox" };
}

export function orgHref(org, tail = "") {
  return `#/org/${encodeURIComponent(org.id)}${tail}`;
}
