// Live updates: the org's events arrive through /_emulator/events, read with a streaming
// fetch (EventSource cannot send the admin token). Each event asks for one refresh (several at
// once make one); if the stream cannot be read, the page polls instead and tries the stream
// again later. One refresh runs at a time; kick() asks for one now (after an action).
import { authHeaders } from "./api.js";
import { PATHS } from "./wire.js";

const POLL_MS = 2000;
const RETRY_STREAM_MS = 5000;
const SETTLE_MS = 120;   // events come in bursts (sent, delivered…): one refresh for a burst
const SAFETY_MS = 30000; // a refresh now and then even when nothing is said (a real clock)

export function startLive(refresh, { orgId, onSuccess, onFailure, onStreamState }) {
  let running = false;
  let again = false;
  let timer = null;
  let streaming = false;
  let controller = null;
  let streamOrg = null;

  async function tick() {
    clearTimeout(timer);
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await refresh();
      onSuccess();
    } catch (error) {
      onFailure(error);
    }
    running = false;
    if (again) {
      again = false;
      tick();
      return;
    }
    timer = setTimeout(tick, streaming ? SAFETY_MS : POLL_MS);
  }

  let settle = null;
  function soon() {
    clearTimeout(settle);
    settle = setTimeout(tick, SETTLE_MS);
  }

  async function stream() {
    const wanted = orgId();
    if (!wanted) return;
    streamOrg = wanted;
    controller = new AbortController();
    try {
      const response = await fetch(`${PATHS.EVENTS}?org_id=${encodeURIComponent(wanted)}`, {
        headers: authHeaders({ Accept: "text/event-stream" }), signal: controller.signal,
        cache: "no-store",
      });
      if (!response.ok || !response.body) throw new Error(`events answered ${response.status}`);
      streaming = true;
      onStreamState(true);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        const frames = buffer.split("\n\n");
        buffer = frames.pop();
        if (frames.some((frame) => frame.split("\n").some((line) => line.startsWith("event:")))) {
          soon();
        }
      }
    } catch (error) {
      if (error.name === "AbortError") return; // we closed it to follow another org
    } finally {
      streaming = false;
    }
    onStreamState(false);
    tick(); // polling takes over until the stream is back
    setTimeout(() => { if (!streaming && streamOrg === orgId()) stream(); }, RETRY_STREAM_MS);
  }

  // Another org was chosen: follow its stream instead.
  function follow(force = false) {
    if (!force && streamOrg === orgId() && streaming) return;
    controller?.abort();
    streaming = false;
    stream();
  }

  document.addEventListener("visibilitychange", () => { if (!document.hidden) tick(); });
  tick();
  return { kick: tick, follow };
}
