// The inbox: follows the org's live events (live.js) and redraws only what changed.
import { ApiError, api, token } from "./api.js";
import { broadcastsView } from "./broadcasts.js";
import { clockView } from "./clock.js";
import { connectView, keyOf } from "./connect.js";
import { h, replace } from "./dom.js";
import { startLive } from "./live.js";
import {
  detailsView, fitFrame, messageHead, panel, renderedView, sourceView, tabList, textView,
} from "./message.js";
import { PAGE_SIZE, listBody, listControls } from "./outbox.js";
import { orgHref, parseRoute } from "./route.js";
import { webhooksView } from "./webhooks.js";

const $ = (id) => document.getElementById(id);

const state = {
  orgs: [], broadcasts: [], route: { orgId: null, view: "outbox" },
  search: "", filter: null, includeSkipped: false, page: 1, tab: "rendered", seen: new Map(),
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

function listChanged() {
  state.page = 1;
  state.seen.delete("rows");
  kick();
}

function setFilter(id) {
  state.filter = id;
  state.seen.delete("broadcasts");
  if (state.route.view !== "outbox") location.hash = orgHref(currentOrg());
  listChanged();
}

let searchTimer = null;
function setSearch(text) {
  state.search = text;
  clearTimeout(searchTimer);
  searchTimer = setTimeout(listChanged, 200);
}

function chooseTab(id) {
  state.tab = id;
  for (const button of document.querySelectorAll("[role=tab]")) {
    const on = button.id === `tab-${id}`;
    button.setAttribute("aria-selected", String(on));
    button.tabIndex = on ? 0 : -1;
  }
  for (const section of document.querySelectorAll("[role=tabpanel]")) {
    section.hidden = section.id !== `panel-${id}`;
  }
  const frame = document.querySelector("iframe.email-body");
  if (frame) fitFrame(frame);
}

// Built once per visit of a view, so typing in the search box or reading an email is never
// interrupted by a refresh; the parts inside are redrawn when their data changes.
function buildView() {
  const kept = ["orgs", "org-list", "clock", "route"];
  state.seen = new Map([...state.seen].filter(([part]) => kept.includes(part)));
  const view = $("view");
  if (state.route.view === "message") {
    view.replaceChildren(h("article", { class: "message", "aria-labelledby": "message-h" },
      h("div", { id: "message-head" }, h("p", { class: "muted" }, "Loading…")),
      tabList(state.tab, chooseTab),
      ...["rendered", "text", "source", "details"].map((id) => panel(id, state.tab))));
  } else if (state.route.view === "webhooks") {
    view.replaceChildren(h("div", { id: "webhook-list" }));
  } else {
    view.replaceChildren(listControls({
      search: state.search, includeSkipped: state.includeSkipped, onSearch: setSearch,
      onSkipped: (on) => { state.includeSkipped = on; listChanged(); }, onClear: askClear,
    }), h("div", { id: "rows" }));
  }
}

// A message that is gone (its org was reset, or it was deleted) is said so, not reported as
// an outage.
async function readMessage(org, recipientId) {
  try {
    return await api.message(org.id, recipientId);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    if (changed("message", "gone")) {
      replace($("view"), h("a", { href: orgHref(org), class: "back" }, "← Back to the outbox"),
        h("p", { class: "notice" }, `This message is no longer in ${org.name}: ${error.message}.`));
    }
    return null;
  }
}

async function refreshMessage(org, recipientId) {
  const got = await readMessage(org, recipientId);
  if (!got || !changed("message", got.text)) return;
  const message = got.json();
  replace($("message-head"), messageHead(org, message, () => askDelete(org, message)));
  const contentKey = JSON.stringify([message.subject, message.body, message.content,
    message.is_skipped]);
  // The frame is made again only when what it shows changed: no flicker while events arrive.
  if (changed("message-content", contentKey)) {
    replace($("panel-rendered"), renderedView(message));
    replace($("panel-text"), textView(message));
  }
  replace($("panel-source"), sourceView(message));
  replace($("panel-details"), detailsView(message));
  if (state.focusHeading) {
    state.focusHeading = false;
    $("message-h")?.focus({ preventScroll: true });
  }
}

// Keeps the message at the top of the screen where it was while the list above it grows.
function keepScroll(container, draw) {
  const items = [...container.querySelectorAll("li.item")];
  const anchor = window.scrollY > 0 ? items.find((li) => li.getBoundingClientRect().bottom > 0) : null;
  const before = anchor?.getBoundingClientRect().top;
  draw();
  if (!anchor) return;
  const again = container.querySelector(`li.item[data-id="${CSS.escape(anchor.dataset.id)}"]`);
  if (again) window.scrollBy(0, again.getBoundingClientRect().top - before);
}

async function refreshList(org) {
  const got = await api.messages(org.id, { q: state.search.trim(), broadcastId: state.filter,
    includeSkipped: state.includeSkipped, page: state.page, take: PAGE_SIZE });
  const count = Number(got.headers.get("pagination-count") || 0);
  if (!changed("rows", got.text + count + state.broadcasts.length + JSON.stringify(state.orgs))) {
    return;
  }
  const messages = got.json();
  if (!messages.length && state.page > 1) {
    state.page = Math.max(1, Math.ceil(count / PAGE_SIZE));
    kick();
    return;
  }
  keepScroll($("rows"), () => replace($("rows"), listBody({
    org, messages, count, page: state.page,
    filtered: Boolean(state.search.trim() || state.filter),
    broadcasts: state.broadcasts, key: keyOf(state.orgs, org),
    onPage: (page) => { state.page = page; state.seen.delete("rows"); kick(); },
    onCreate: () => createTestBroadcast(org),
  })));
  // Back from a message, the keyboard lands on that message again.
  if (state.cameFrom) {
    $("rows").querySelector(`[data-focus="msg-${CSS.escape(state.cameFrom)}"]`)?.focus();
    state.cameFrom = null;
  }
}

async function refreshView(org) {
  const { view, recipientId } = state.route;
  if (view === "message") {
    await refreshMessage(org, recipientId);
  } else if (view === "webhooks") {
    const got = await api.webhooks(org.id);
    if (changed("webhooks", got.text)) replace($("webhook-list"), webhooksView(got.json()));
  } else {
    await refreshList(org);
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
  live.follow();
  if (changed("org-list", JSON.stringify(state.orgs.map((o) => [o.id, o.name])))) {
    renderOrgPicker();
  }
  if (changed("route", JSON.stringify(state.route))) {
    document.title = `${org.name} · inbox · invent-emulator`;
    $("org").value = org.id;
    replace($("connect"), connectView(org, keyOf(state.orgs, org)));
    renderTabs(org);
    buildView();
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

function confirmThen({ title, text, ok, action }) {
  $("confirm-h").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = ok;
  $("confirm-ok").onclick = async () => {
    $("confirm-dialog").close();
    try {
      say(await action());
    } catch (error) {
      say(`Could not do it: ${error.message}`);
    }
    kick();
  };
  $("confirm-dialog").showModal();
}

function askClear() {
  const org = currentOrg();
  confirmThen({
    title: `Clear ${org.name}’s outbox?`,
    text: "Every message disappears from the inbox and from /_emulator/messages. The rows stay: " +
      "the public API and the counters do not change.",
    ok: "Clear all",
    action: async () => {
      const { cleared } = (await api.clearMessages(org.id)).json();
      state.page = 1;
      return `Cleared ${cleared} message(s).`;
    },
  });
}

function askDelete(org, message) {
  confirmThen({
    title: "Delete this message?",
    text: "It disappears from the inbox and the outbox; its row stays in the public API.",
    ok: "Delete",
    action: async () => {
      await api.deleteMessage(org.id, message.recipient_id);
      location.hash = orgHref(org);
      return "Message deleted.";
    },
  });
}

async function createTestBroadcast(org) {
  try {
    await api.createTestBroadcast(org, keyOf(state.orgs, org));
    say("Made the broadcast “Inbox test”.");
  } catch (error) {
    say(`Could not make a broadcast: ${error.message}`);
  }
  state.seen.delete("rows");
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

// ---- the admin token ----

function askToken(message) {
  const dialog = $("token-dialog");
  $("token-error").hidden = !message;
  $("token-error").textContent = message || "";
  if (!dialog.open) dialog.showModal();
}

function saveToken(event) {
  event.preventDefault();
  token.set($("token-input").value.trim());
  $("token-input").value = "";
  $("token-dialog").close();
  live.follow(true);
  kick();
}

// ---- the keyboard: j / k move through the messages, Enter opens, Esc closes ----

function onKey(event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.closest("input, select, textarea, dialog[open]")) return;
  if (event.key === "Escape" && state.route.view === "message") {
    location.hash = orgHref(currentOrg());
    return;
  }
  if ((event.key !== "j" && event.key !== "k") || state.route.view !== "outbox") return;
  const links = [...document.querySelectorAll("#rows a.item-link")];
  if (!links.length) return;
  const at = links.indexOf(document.activeElement);
  const next = at < 0 ? 0 : Math.min(links.length - 1, Math.max(0, at + (event.key === "j" ? 1 : -1)));
  links[next].focus();
  links[next].scrollIntoView({ block: "nearest" });
  event.preventDefault();
}

let kick = () => {};
let live = { follow: () => {} };

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
      state.page = 1;
    }
    if (state.route.view === "message" && before.recipientId !== state.route.recipientId) {
      state.tab = "rendered";
      state.focusHeading = true; // opened from the page: a screen reader hears where it is
    }
    kick();
  });
  $("org").addEventListener("change", (e) => { location.hash = orgHref({ id: e.target.value }); });
  // Orgs made elsewhere send no event to this org's stream: look again before a choice.
  $("org").addEventListener("focus", () => kick());
  // The skip link moves focus without touching the hash, which holds the route.
  $("skip").addEventListener("click", (e) => { e.preventDefault(); $("main").focus(); });
  $("reset").addEventListener("click", askReset);
  $("reset-confirm").addEventListener("click", confirmReset);
  $("reset-cancel").addEventListener("click", () => $("reset-dialog").close());
  $("confirm-cancel").addEventListener("click", () => $("confirm-dialog").close());
  $("token-form").addEventListener("submit", saveToken);
  document.addEventListener("keydown", onKey);
  window.addEventListener("resize", () => {
    const frame = document.querySelector("iframe.email-body");
    if (frame) fitFrame(frame);
  });
  live = startLive(refresh, {
    orgId: () => currentOrg()?.id,
    onSuccess: () => { $("offline").hidden = true; },
    onFailure: (error) => {
      if (error instanceof ApiError && error.status === 401) {
        askToken(token.get() ? "That token was refused." : "");
        return;
      }
      $("offline").hidden = false;
      $("offline").textContent = `Cannot read the emulator: ${error.message}`;
    },
    onStreamState: (on) => { document.body.dataset.live = on ? "stream" : "poll"; },
  });
  kick = live.kick;
}

start();
