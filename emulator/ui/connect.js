// What an app needs to call this org: the base URL, the org id and a key.
import { h } from "./dom.js";

// The key to show for an org: its own, else the nearest parent's (which reaches it by its id).
export function keyOf(orgs, org) {
  for (let o = org, own = true; o; o = orgs.find((p) => p.id === o.parent), own = false) {
    if (o.api_keys.length) return { key: o.api_keys[0], own };
  }
  return null;
}

export function connectView(org, key) {
  const row = (term, ...definition) => h("div", {}, h("dt", {}, term), h("dd", {}, definition));
  return [
    h("h2", {}, "Connect your app"),
    h("dl", { class: "connect-list" },
      row("Base URL", h("code", {}, location.origin)),
      row("Org id", h("code", {}, key?.own ? "c" : org.id),
        key?.own ? h("span", { class: "muted" }, ` or ${org.id}`) : null),
      row("API key", key ? h("code", {}, key.key) : "none")),
  ];
}
