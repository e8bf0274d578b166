// The org's clock: what time it is there and, on a virtual clock, buttons that move it.
import { h, timeEl } from "./dom.js";

const STEPS = [[60, "+1 min", "1 minute"], [3600, "+1 h", "1 hour"], [86400, "+1 day", "1 day"]];

export function clockView(org, onAdvance) {
  const clock = org.clock;
  const virtual = clock.mode === "virtual";
  return [
    h("div", { class: "clock-now" },
      h("span", { class: "muted" }, virtual ? "Virtual clock" : "Real clock"),
      timeEl(clock.now, { long: true }),
      clock.pending ? h("span", { class: "muted pending" }, `${clock.pending} due later`) : null),
    virtual
      ? h("div", { class: "clock-steps", role: "group", "aria-label": "Advance the clock" },
        STEPS.map(([seconds, label, words]) => h("button", {
          // The spoken name starts with the visible text (WCAG 2.5.3, label in name).
          type: "button", "aria-label": `${label}: advance the clock ${words}`,
          title: `Advance the clock ${words}`,
          dataset: { focus: `advance-${seconds}` }, onclick: () => onAdvance(seconds),
        }, label)))
      : h("span", { class: "muted small-note" }, "Runs on wall time"),
  ];
}
