// One section per pool: its charts (requests/s per backend, red where a backend was down; latency; errors) and a
// paged backend table filtered, searched and sorted by the server, with drain/enable and runtime weight controls.
import { store, window15 } from "./store.js";
import { chartBox, renderChart, palette, red, esc, fmt } from "./chart.js";
import { poll, ago } from "./app.js";
import { chartEvents } from "./timeline.js";

/** What the page shows: each pool's table page, and the backends whose own charts are open. */
export const view = { pages: {}, expanded: new Set() };
const LIMIT = 50;
const enc = encodeURIComponent;

export function renderPools() {
  const host = document.getElementById("pools");
  const names = Object.keys(store.pools).sort();
  for (const section of [...host.children]) if (!names.includes(section.dataset.pool)) section.remove();
  for (const name of names) renderPool(host, name, store.pools[name]);
}

function section(host, name) {
  let s = host.querySelector(`:scope > section[data-pool="${CSS.escape(name)}"]`);
  if (s) return s;
  s = document.createElement("section");
  s.dataset.pool = name;
  s.innerHTML = `<h2>${esc(name)} <span class="kv summary"></span><span class="badge panic" hidden>PANIC</span></h2>
    <div class="charts"></div>
    <div class="toolbar">
      <select data-control="filter"><option value="all">all backends</option><option value="problems">problems</option>
        <option value="down">down</option><option value="draining">draining</option><option value="override">runtime weight</option></select>
      <input data-control="search" placeholder="search address" size="22">
      <select data-control="sort"><option value="config">config order</option><option value="requests">busiest</option>
        <option value="errors">most errors</option><option value="p99">slowest p99</option><option value="inflight">most in flight</option></select>
      <span class="pager"><button data-page="-1">‹ prev</button><span class="kv range"></span><button data-page="1">next ›</button></span>
    </div>
    <table><thead><tr><th>state</th><th>backend</th><th class="num">weight</th><th class="num">eff.</th><th class="num">in flight</th>
      <th class="num">req/s</th><th class="num">err/s</th><th class="num">p50 ms</th><th class="num">p99 ms</th><th class="num">requests</th>
      <th class="num">failures</th><th>last health change</th><th></th></tr></thead><tbody></tbody></table>`;
  host.appendChild(s);
  const page = () => (view.pages[name] ??= { offset: 0, limit: LIMIT, filter: "all", search: "", sort: "config" });
  s.querySelector(".toolbar").addEventListener("change", e => {
    const c = e.target.dataset.control;
    if (c) { page()[c] = e.target.value; page().offset = 0; poll(); }
  });
  s.querySelector("[data-control=search]").addEventListener("input", e => { page().search = e.target.value; page().offset = 0; poll(); });
  s.querySelector(".pager").addEventListener("click", e => {
    const step = Number(e.target.dataset.page);
    if (step) { page().offset = Math.max(0, page().offset + step * LIMIT); poll(); }
  });
  return s;
}

function renderPool(host, name, pool) {
  const s = section(host, name);
  s.querySelector(".summary").textContent = `${pool.algorithm} · ${pool.available} of ${pool.size} available`;
  s.querySelector(".badge.panic").hidden = !pool.panic;
  const { start, end } = window15();
  const base = { times: store.times, start, end, events: chartEvents() };
  const charts = s.querySelector(".charts");
  const lines = (pool.chart ?? []).map((address, i) => backendLine(name, address, i, "requests")).filter(Boolean);
  renderChart(chartBox(charts, `pool-requests:${name}`, pool.size > lines.length ? `Requests/s, ${lines.length} of ${pool.size} backends` : "Requests/s by backend"),
    { ...base, unit: "/s", lines });
  renderChart(chartBox(charts, `pool-latency:${name}`, "Latency, ms"), { ...base, unit: "ms", lines: [
    { name: "p50", color: "#58a6ff", values: pool.series.p50 ?? [] }, { name: "p99", color: "#d29922", values: pool.series.p99 ?? [] }] });
  renderChart(chartBox(charts, `pool-errors:${name}`, "Errors/s"), { ...base, unit: "/s", lines: [
    { name: "backend5xx", label: "5xx from backends", color: "#ffa657", values: pool.series.backend5xx ?? [] },
    { name: "proxyErrors", label: "502/503/504 by Balancer", color: red, values: pool.series.proxyErrors ?? [] },
    { name: "limited", label: "429", color: "#bc8cff", values: pool.series.limited ?? [] }] });
  const page = pool.page;
  s.querySelector(".range").textContent = page.total === 0 ? "none" : `${page.offset + 1}–${page.offset + page.rows.length} of ${page.total}`;
  s.querySelector("[data-page='-1']").disabled = page.offset === 0;
  s.querySelector("[data-page='1']").disabled = page.offset + page.rows.length >= page.total;
  s.querySelector("tbody").innerHTML = page.rows.map(b => row(name, b)).join("");
  for (const detail of s.querySelectorAll("[data-detail]")) renderDetail(detail, base);
}

function backendLine(pool, address, i, series) {
  const b = store.backends[`${pool}|${address}`];
  if (!b) return null;
  const health = b.series.health ?? [];
  const last = [...health].reverse().find(v => v !== null);
  return { name: address, color: palette[i % palette.length], values: b.series[series] ?? [], health, down: last === 1 };
}

function row(pool, b) {
  const key = `${pool}|${b.address}`;
  const state = b.state;
  const dot = state === "removed" || state === "drained" || state === "draining" ? state : b.health;
  const override = b.weightOverride !== null
    ? ` <span class="badge override" title="runtime weight; configured ${b.configuredWeight}; kept until a reload changes this backend">runtime</span>` : "";
  const toggle = state === "removed" ? ""
    : b.state === "draining" || b.state === "drained" ? `<button data-action="enable">enable</button>` : `<button data-action="drain">drain</button>`;
  const weight = state === "removed" ? "" : `<button data-action="weight">weight</button>`;
  const tcp = b.bytesIn + b.bytesOut > 0 ? ` · ${fmt(b.bytesIn, "")}B in, ${fmt(b.bytesOut, "")}B out` : "";
  const html = `<tr data-backend="${esc(b.address)}" data-pool="${esc(pool)}" data-state="${esc(state)}" data-weight="${b.weight}" data-override="${b.weightOverride ?? ""}">
    <td><span class="dot ${esc(dot)}"></span>${esc(state)}</td><td class="address" data-expand="${esc(key)}" title="show this backend's charts">${esc(b.address)}</td>
    <td class="num">${b.weight}${override}</td><td class="num">${b.effectiveWeight}</td><td class="num">${b.inflight}</td>
    <td class="num">${fmt(b.rate)}</td><td class="num">${fmt(b.errorRate)}</td><td class="num">${fmt(b.p50)}</td><td class="num">${fmt(b.p99)}</td>
    <td class="num">${b.requests}</td><td class="num">${b.failures}</td>
    <td class="reason">${esc(b.reason)} <span class="kv">(${ago(b.changedAt)})${esc(tcp)}</span></td><td>${toggle} ${weight}</td></tr>`;
  return view.expanded.has(key)
    ? html + `<tr class="detail"><td colspan="13"><div class="charts" data-detail="${esc(key)}"></div></td></tr>` : html;
}

function renderDetail(host, base) {
  const key = host.dataset.detail;
  const b = store.backends[key];
  if (!b) { host.textContent = "loading…"; return; }
  const health = b.series.health ?? [];
  renderChart(chartBox(host, `backend-requests:${key}`, "Requests/s"), { ...base, unit: "/s", lines: [
    { name: "requests", color: "#58a6ff", values: b.series.requests ?? [], health }, { name: "errors", color: red, values: b.series.errors ?? [] }] });
  renderChart(chartBox(host, `backend-latency:${key}`, "Latency, ms"), { ...base, unit: "ms", lines: [
    { name: "p50", color: "#58a6ff", values: b.series.p50 ?? [] }, { name: "p99", color: "#d29922", values: b.series.p99 ?? [] }] });
  renderChart(chartBox(host, `backend-inflight:${key}`, "In flight"), { ...base, unit: "", lines: [
    { name: "inflight", color: "#3fb950", values: b.series.inflight ?? [], health }] });
}

async function post(pool, address, action, body) {
  const r = await fetch(`pools/${enc(pool)}/backends/${enc(address)}/${action}`, {
    method: "POST", credentials: "same-origin", headers: body ? { "Content-Type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
  const text = await r.text();
  poll();
  if (!r.ok) throw new Error(`${action} failed: ${r.status} ${(() => { try { return JSON.parse(text).error; } catch { return text; } })()}`);
}

let editing = null;
document.addEventListener("click", async e => {
  const expand = e.target.closest("td[data-expand]");
  if (expand) {
    const key = expand.dataset.expand;
    view.expanded.has(key) ? view.expanded.delete(key) : view.expanded.add(key);
    poll();
    return;
  }
  const button = e.target.closest("tr[data-backend] button[data-action]");
  if (!button) return;
  const tr = button.closest("tr");
  const [pool, address] = [tr.dataset.pool, tr.dataset.backend];
  if (button.dataset.action === "weight") {
    editing = { pool, address };
    document.getElementById("weight-target").textContent = `${pool} ${address}`;
    document.getElementById("weight-configured").textContent = store.pools[pool]?.page.rows.find(r => r.address === address)?.configuredWeight ?? "?";
    document.getElementById("weight-input").value = tr.dataset.weight;
    document.getElementById("weight-error").textContent = "";
    document.getElementById("weight-dialog").showModal();
    return;
  }
  try { await post(pool, address, button.dataset.action); } catch (err) { alert(err.message); }
});

const typed = () => {
  const text = document.getElementById("weight-input").value.trim();
  if (text === "") throw new Error("enter a weight from 0 to 256");
  return Number(text);
};
for (const [id, weight] of [["weight-set", typed], ["weight-reset", () => null]]) {
  document.getElementById(id).addEventListener("click", async e => {
    e.preventDefault();
    const dialog = document.getElementById("weight-dialog");
    try {
      const body = { weight: weight() };
      await post(editing.pool, editing.address, "weight", body);
      dialog.close();
    } catch (err) {
      document.getElementById("weight-error").textContent = err.message;
    }
  });
}
