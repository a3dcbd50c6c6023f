// swarm's web UI: is the page's data still live? (loaded before app.js)
//
// The master pushes a snapshot every second, so the arrival of messages is
// the heartbeat. A WebSocket that stalls half-open (the master frozen, a
// dead NAT entry) never closes and a killed master may not be noticed for a
// long time: without this check the page kept saying "live" and "running"
// with frozen numbers and enabled buttons. After STALE_MS without a message
// the page says so (a banner counting the seconds), the state no longer
// claims live/running, the commands are disabled, and a fresh connection is
// tried every RECONNECT_MS; the first message on any connection undoes it.
//
// Commands (Stop, Reset) go through liveness.command(), which shows a failed
// call's error instead of leaving an unhandled promise rejection.
"use strict";

const liveness = (() => {
  const STALE_MS = 4000;
  const RECONNECT_MS = 5000;
  const COMMANDS = ["edit", "new-test", "stop", "reset", "start-submit"];
  const el = (id) => document.getElementById(id);
  // performance.now() of the latest message; the page's load before the
  // first, so a master that never answers gets the banner too.
  let lastHeard = performance.now();
  let stale = false;
  let socket = null;
  let reconnect = null;  // app.js's connect()
  let lastAttempt = 0;

  function setCommandsDisabled(disabled) {
    for (const id of COMMANDS) {
      const b = el(id);
      if (b) b.disabled = disabled;
    }
  }

  function showStale(seconds) {
    el("stale-banner").hidden = false;
    el("stale-text").textContent = `No data from the master for ${seconds} s \u2014 reconnecting`;
    el("state").textContent = "unknown";
    el("conn").textContent = "no data";
    el("conn").classList.add("down");
    setCommandsDisabled(true);
  }

  // A new connection; the stalled one is dropped without running app.js's
  // own retry (its onclose), so only one retry loop runs.
  function retry(now) {
    if (!reconnect || now - lastAttempt < RECONNECT_MS) return;
    lastAttempt = now;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      try { socket.close(); } catch (e) { /* already closed */ }
    }
    reconnect();
  }

  function check() {
    const now = performance.now();
    const silent = now - lastHeard;
    if (silent < STALE_MS) return;
    if (!stale) lastAttempt = now - RECONNECT_MS;  // retry at once when it turns stale
    stale = true;
    showStale(Math.floor(silent / 1000));
    retry(now);
  }

  setInterval(check, 500);

  return {
    // app.js's connect() hands each new socket here, and itself to retry with.
    watch(ws, connect) {
      socket = ws;
      reconnect = connect;
    },
    // Every message: the master is alive and the page's figures are fresh.
    heard() {
      lastHeard = performance.now();
      if (!stale) return;
      stale = false;
      el("stale-banner").hidden = true;
      el("conn").textContent = "live";
      el("conn").classList.remove("down");
      setCommandsDisabled(false);
    },
    isStale: () => stale,
    // GET base + path for a button; a failure (network or HTTP) is shown in
    // the command-error banner until the next command succeeds.
    async command(base, path, what) {
      const box = el("command-error");
      try {
        const res = await fetch(base + path);
        if (!res.ok) {
          const answer = await res.json().catch(() => ({ message: res.statusText }));
          throw new Error(answer.message || `HTTP ${res.status}`);
        }
        box.hidden = true;
        return true;
      } catch (e) {
        box.textContent = `${what} failed: ${e.message}`;
        box.hidden = false;
        return false;
      }
    },
  };
})();
