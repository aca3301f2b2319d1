// The re-index progress, streamed by the server (server-sent events); no inline script, so
// the Content Security Policy can forbid them.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("progress");
  if (!box) return;
  const bar = document.getElementById("progress-bar");
  const text = document.getElementById("progress-text");
  const events = new EventSource(box.dataset.events);
  events.onmessage = (event) => {
    const p = JSON.parse(event.data || "{}");
    if (!p.state || p.state === "idle") { events.close(); return; }
    box.dataset.state = p.state;
    if (p.total) { bar.max = p.total; bar.value = p.done; }
    if (p.state === "running") {
      text.textContent = `${box.dataset.running} ${p.what || ""} ${p.done}/${p.total}`;
    } else {
      text.textContent = p.summary || p.state;
      if (p.state === "done") { bar.max = 1; bar.value = 1; }
      events.close();
    }
  };
});
