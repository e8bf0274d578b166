// Small DOM helpers: elements are built with text nodes only (never innerHTML), so nothing the
// emulator returns can turn into markup in this page.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name in el && typeof value !== "string") el[name] = value;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(container, ...children) {
  // Re-rendering must not throw the keyboard user out: focus returns to the element that has
  // the same data-focus key after the update, and open <details data-keep> stay open.
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset.focus : undefined;
  const open = [...container.querySelectorAll("details[open][data-keep]")].map((d) => d.dataset.keep);
  container.replaceChildren();
  append(container, children);
  for (const name of open) {
    const details = container.querySelector(`details[data-keep="${CSS.escape(name)}"]`);
    if (details) details.open = true;
  }
  if (key) container.querySelector(`[data-focus="${CSS.escape(key)}"]`)?.focus();
}

// Times come from the org's clock as ISO-8601 UTC; they are shown in UTC, as the org sees them.
export function clockTime(iso) {
  return iso ? iso.slice(11, 19) : "";
}

export function clockDateTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  const day = date.toLocaleDateString("en-GB", {
    timeZone: "UTC", weekday: "short", day: "numeric", month: "short", year: "numeric",
  });
  return `${day} ${clockTime(iso)} UTC`;
}

export function timeEl(iso, { long = false } = {}) {
  return h("time", { datetime: iso, title: iso }, long ? clockDateTime(iso) : clockTime(iso));
}

// A list's date and time on the org's clock: "Mon 5 Jan 2026 09:00:15".
export function listDate(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  const day = date.toLocaleDateString("en-GB", {
    timeZone: "UTC", weekday: "short", day: "numeric", month: "short", year: "numeric",
  });
  return `${day} ${clockTime(iso)}`;
}
