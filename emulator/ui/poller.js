// Short polling: simplest for a local tool, and new rows show up within a second. One refresh
// runs at a time; kick() asks for one now (after an action), instead of at the next tick.

const POLL_MS = 1000;
const HIDDEN_POLL_MS = 5000;

export function startPolling(refresh, { onSuccess, onFailure }) {
  let timer = null;
  let running = false;
  let again = false;

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
    } else {
      timer = setTimeout(tick, document.hidden ? HIDDEN_POLL_MS : POLL_MS);
    }
  }

  document.addEventListener("visibilitychange", () => { if (!document.hidden) tick(); });
  tick();
  return tick;
}
