// The dashboard: polls /console/poll once a second, merges the answer into the store, and redraws every panel.
import { store, merge, window15 } from "./store.js";
import { chartBox, renderChart, palette, red, esc } from "./chart.js";
import { renderPools, view } from "./pools.js";
import { renderTimeline, chartEvents } from "./timeline.js";
import { renderCluster, renderRoutes, renderConfig } from "./panels.js";

const POLL_MS = 1000, HIDDEN_POLL_MS = 5000;
let timer = null, polling = false;

export const ago = iso => {
  if (!iso) return "–";
  const s = Math.max(0, (store.now - (typeof iso === "number" ? iso : Date.parse(iso))) / 1000);
  return s < 60 ? `${s.toFixed(0)}s ago` : s < 3600 ? `${(s / 60).toFixed(0)}m ago` : `${(s / 3600).toFixed(1)}h ago`;
};
const duration = s => s < 60 ? `${s.toFixed(0)}s` : s < 3600 ? `${(s / 60).toFixed(0)}m` : s < 86400 ? `${(s / 3600).toFixed(1)}h` : `${(s / 86400).toFixed(1)}d`;

/** Polls now (and reschedules): after an action, or when the view changes. */
export async function poll() {
  clearTimeout(timer);
  if (polling) { timer = setTimeout(poll, 100); return; }
  polling = true;
  const started = Date.now();
  try {
    const q = { since: store.count, events: store.eventSequence, pages: view.pages, have: Object.keys(store.backends), expand: [...view.expanded] };
    const r = await fetch(`console/poll?q=${encodeURIComponent(JSON.stringify(q))}`, { credentials: "same-origin", cache: "no-store" });
    if (r.status === 401) { location.reload(); return; }
    if (!r.ok) throw new Error(`${r.status}`);
    merge(await r.json());
    render();
    document.getElementById("stale").hidden = true;
  } catch (e) {
    document.getElementById("stale").hidden = false;
    console.warn("poll failed", e);
  } finally {
    polling = false;
    const every = document.hidden ? HIDDEN_POLL_MS : POLL_MS;
    timer = setTimeout(poll, Math.max(50, every - (Date.now() - started)));
  }
}

function render() {
  renderHeader();
  renderOverview();
  renderTimeline();
  renderPools();
  renderCluster();
  renderRoutes();
  renderConfig();
}

function renderHeader() {
  const { node, config, failover, announce } = store;
  document.getElementById("node").textContent = node.nodeId ?? node.host ?? "–";
  document.getElementById("version").textContent = node.version ?? "–";
  document.getElementById("uptime").textContent = duration(node.uptimeSeconds ?? 0);
  const state = failover?.state ?? "disabled";
  const badge = document.getElementById("failover");
  badge.textContent = state; badge.className = `badge ${state}`;
  // ECMP announcement (docs/scale-out.md): its state, and why, beside the failover state.
  const announced = announce?.state ?? "disabled";
  const ae = document.getElementById("announce");
  ae.textContent = announced; ae.className = `badge ${announced}`; ae.title = (announce?.virtualIps ?? []).join(", ");
  document.getElementById("announceReason").textContent = announce?.reason ?? "";
  document.getElementById("hash").textContent = (config.hash ?? "").slice(0, 12);
  document.getElementById("loaded").textContent = ago(config.loadedAt);
  document.getElementById("reload").textContent = config.lastError ? `rejected ${ago(config.lastErrorAt)}` : "applied";
  document.getElementById("reload").className = config.lastError ? "error" : "";
}

/** Sums the same series over several objects, sample by sample (null where none has a value). */
export function sum(objects, name) {
  const out = new Array(store.times.length).fill(null);
  for (const o of objects) (o.series[name] ?? []).forEach((v, i) => { if (v !== null) out[i] = (out[i] ?? 0) + v; });
  return out;
}

function renderOverview() {
  const { start, end } = window15();
  const base = { times: store.times, start, end, events: chartEvents() };
  const host = document.getElementById("overview-charts");
  const pools = Object.entries(store.pools);
  renderChart(chartBox(host, "requests", "Requests/s by pool"), { ...base, unit: "/s",
    lines: pools.map(([name, p], i) => ({ name, color: palette[i % palette.length], values: p.series.requests ?? [] })) });
  const all = pools.map(([, p]) => p);
  renderChart(chartBox(host, "errors", "Errors/s, all pools"), { ...base, unit: "/s", lines: [
    { name: "backend5xx", label: "5xx from backends", color: "#ffa657", values: sum(all, "backend5xx") },
    { name: "proxyErrors", label: "502/503/504 by Balancer", color: red, values: sum(all, "proxyErrors") },
    { name: "limited", label: "429", color: "#bc8cff", values: sum(all, "limited") }] });
  renderChart(chartBox(host, "inflight", "In flight by pool"), { ...base, unit: "",
    lines: pools.map(([name, p], i) => ({ name, color: palette[i % palette.length], values: p.series.inflight ?? [] })) });
  const tcp = Object.entries(store.listeners).filter(([, l]) => l.protocol === "tcp");
  const tcpHost = document.getElementById("tcp-charts");
  tcpHost.hidden = tcp.length === 0;
  if (tcp.length > 0) {
    renderChart(chartBox(tcpHost, "tcp-connections", "TCP connections/s (accepted) and open"), { ...base, unit: "",
      lines: tcp.flatMap(([name, l], i) => [
        { name: `${name} new/s`, color: palette[i % palette.length], values: l.series.connections ?? [] },
        { name: `${name} open`, color: palette[(i + 4) % palette.length], values: l.series.active ?? [] }]) });
    renderChart(chartBox(tcpHost, "tcp-bytes", "TCP bytes/s"), { ...base, unit: "B/s",
      lines: tcp.flatMap(([name, l], i) => [
        { name: `${name} in`, color: palette[i % palette.length], values: l.series.bytesIn ?? [] },
        { name: `${name} out`, color: palette[(i + 4) % palette.length], values: l.series.bytesOut ?? [] }]) });
  }
}

document.addEventListener("visibilitychange", () => { if (!document.hidden) poll(); });
poll();

