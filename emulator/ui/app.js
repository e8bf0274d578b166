// The inbox: reads the control surface about once a second and redraws only what changed.
import { ApiError, api } from "./api.js";
import { broadcastsView } from "./broadcasts.js";
import { clockView } from "./clock.js";
import { connectView, keyOf } from "./connect.js";
import { h, replace } from "./dom.js";
import { messageContent, messageHead, messagePanels } from "./message.js";
import { ROW_LIMIT, outboxBody, searchBox } from "./outbox.js";
import { startPolling } from "./poller.js";
import { orgHref, parseRoute } from "./route.js";
import { webhooksView } from "./webhooks.js";

const $ = (id) => document.getElementById(id);

const state = {
  orgs: [], broadcasts: [], route: { orgId: null, view: "outbox" },
  search: "", filter: null, seen: new Map(),
};

function changed(part, text) {
  if (state.seen.get(part) === text) return false;
  state.seen.set(part, text);
  return true;
}

function currentOrg() {
  return state.orgs.find((o) => o.id === state.route.orgId);
}

function say(text) {
  $("status").textContent = text;
}

// ---- the parts of the page ----

function renderOrgPicker() {
  const select = $("org");
  select.replaceChildren(...state.orgs.map((o) =>
    h("option", { value: o.id }, o.name === o.id ? o.id : `${o.name} (${o.id})`)));
  select.value = state.route.orgId ?? "";
}

function renderTabs(org) {
  const tab = (label, tail, view) => h("a", {
    href: orgHref(org, tail), "aria-current": state.route.view === view ? "page" : null,
  }, label);
  replace($("tabs"), tab("Outbox", "", "outbox"), tab("Webhooks", "/webhooks", "webhooks"));
}

function setFilter(id) {
  state.filter = id;
  state.seen.delete("rows");
  state.seen.delete("broadcasts");
  if (state.route.view !== "outbox") location.hash = orgHref(currentOrg());
  kick();
}

let searchTimer = null;
function setSearch(text) {
  state.search = text;
  clearTimeout(searchTimer);
  searchTimer = setTimeout(kick, 200);
}

// Built once per visit of a view, so typing in the search box or reading an email is never
// interrupted by a refresh; the parts inside are redrawn when their data changes.
function buildView(org) {
  const kept = ["orgs", "org-list", "clock", "route"];
  state.seen = new Map([...state.seen].filter(([part]) => kept.includes(part)));
  const view = $("view");
  if (state.route.view === "message") {
    view.replaceChildren(h("article", { class: "message", "aria-labelledby": "message-h" },
      h("div", { id: "message-head" }, h("p", { class: "muted" }, "Loading…")),
      h("div", { id: "message-content" }), h("div", { id: "message-panels", class: "panels" })));
  } else if (state.route.view === "webhooks") {
    view.replaceChildren(h("div", { id: "webhook-list" }));
  } else {
    view.replaceChildren(searchBox(state.search, setSearch), h("div", { id: "rows" }));
  }
}

// A message that is gone (its org was reset or replaced) is said so, not reported as an outage.
async function readMessage(org, recipientId) {
  try {
    return await api.message(org.id, recipientId);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    if (changed("message", "gone")) {
      replace($("message-head"), h("a", { href: orgHref(org), class: "back" }, "← Back to the outbox"),
        h("p", { class: "notice" }, `This message is no longer in ${org.name}: ${error.message}.`));
      $("message-content").replaceChildren();
      $("message-panels").replaceChildren();
    }
    return null;
  }
}

async function refreshView(org) {
  const { view, recipientId } = state.route;
  if (view === "message") {
    const got = await readMessage(org, recipientId);
    if (!got || !changed("message", got.text)) return;
    const message = got.json();
    const contentKey = JSON.stringify([message.subject, message.body, message.content,
      message.row.is_skipped, message.row.error_message]);
    replace($("message-head"), messageHead(org, message));
    if (changed("message-content", contentKey)) replace($("message-content"), messageContent(message));
    replace($("message-panels"), messagePanels(message));
  } else if (view === "webhooks") {
    const got = await api.webhooks(org.id);
    if (changed("webhooks", got.text)) replace($("webhook-list"), webhooksView(got.json()));
  } else {
    const got = await api.rows(org.id, { q: state.search.trim(), broadcastId: state.filter,
      limit: ROW_LIMIT });
    if (!changed("rows", got.text + state.broadcasts.length)) return;
    replace($("rows"), outboxBody({ org, rows: got.json(), broadcasts: state.broadcasts,
      search: state.search.trim(), filter: state.filter, key: keyOf(state.orgs, org) }));
    // Back from a message, the keyboard lands on that message's row again.
    if (state.cameFrom) {
      $("rows").querySelector(`[data-focus="row-${CSS.escape(state.cameFrom)}"]`)?.focus();
      state.cameFrom = null;
    }
  }
}

async function refresh() {
  const orgs = await api.orgs();
  if (changed("orgs", orgs.text)) state.orgs = orgs.json();
  if (!currentOrg()) {
    if (!state.orgs.length) {
      replace($("view"), h("p", { class: "empty-note" }, "The emulator has no org."));
      return;
    }
    location.replace(orgHref(state.orgs[0]));
    state.route = parseRoute();
  }
  const org = currentOrg();
  if (changed("org-list", JSON.stringify(state.orgs.map((o) => [o.id, o.name])))) {
    renderOrgPicker();
  }
  if (changed("route", JSON.stringify(state.route))) {
    document.title = `${org.name} · inbox · invent-emulator`;
    $("org").value = org.id;
    replace($("connect"), connectView(org, keyOf(state.orgs, org)));
    renderTabs(org);
    buildView(org);
  }
  if (changed("clock", JSON.stringify(org.clock))) replace($("clock"), clockView(org, advance));
  const broadcasts = await api.broadcasts(org.id);
  if (changed("broadcasts", broadcasts.text + state.filter)) {
    state.broadcasts = broadcasts.json();
    replace($("broadcasts"), broadcastsView(state.broadcasts, state.filter, setFilter));
  }
  await refreshView(org);
}

// ---- actions ----

async function advance(seconds) {
  const org = currentOrg();
  try {
    await api.advance(org.id, seconds);
    say(`Advanced ${org.name}’s clock by ${seconds} s.`);
  } catch (error) {
    say(`Could not advance the clock: ${error.message}`);
  }
  kick();
}

function askReset() {
  const org = currentOrg();
  if (!org) return;
  $("reset-org-name").textContent = org.name;
  $("reset-dialog").showModal();
}

async function confirmReset() {
  $("reset-dialog").close();
  const org = currentOrg();
  try {
    await api.reset(org.id);
    say(`${org.name} is back to its scenario.`);
  } catch (error) {
    say(`Could not reset: ${error.message}`);
  }
  if (state.route.view === "message") location.hash = orgHref(org);
  kick();
}

let kick = () => {};

function start() {
  state.route = parseRoute();
  window.addEventListener("hashchange", () => {
    const before = state.route;
    state.route = parseRoute();
    state.cameFrom = before.view === "message" && state.route.view === "outbox"
      ? before.recipientId : null;
    if (before.orgId !== state.route.orgId) {
      state.filter = null;
      state.search = "";
    }
    kick();
    if (state.route.view === "message") $("main").focus();
  });
  $("org").addEventListener("change", (e) => { location.hash = orgHref({ id: e.target.value }); });
  // The skip link moves focus without touching the hash, which holds the route.
  $("skip").addEventListener("click", (e) => { e.preventDefault(); $("main").focus(); });
  $("reset").addEventListener("click", askReset);
  $("reset-confirm").addEventListener("click", confirmReset);
  $("reset-cancel").addEventListener("click", () => $("reset-dialog").close());
  kick = startPolling(refresh, {
    onSuccess: () => { $("offline").hidden = true; },
    onFailure: (error) => {
      $("offline").hidden = false;
      $("offline").textContent = `Cannot read the emulator: ${error.message}`;
    },
  });
}

start();
