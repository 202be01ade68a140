// The event timeline: a strip of markers on the charts' time axis (one lane per kind) and the list of events, newest
// first, with who did what from where. Events also mark the charts with dashed lines.
import { store, window15 } from "./store.js";
import { esc } from "./chart.js";

const KINDS = ["health", "reload", "admin", "failover", "announce", "certificate"];
const COLORS = { health: "#3fb950", reload: "#58a6ff", admin: "#bc8cff", failover: "#d29922", announce: "#39c5cf", certificate: "#e6edf3" };
const LEFT = 74, RIGHT = 8, SHOWN = 300;
const hidden = new Set();

const color = e => e.severity === "error" || (e.kind === "health" && e.result === "down") ? "#f85149" : COLORS[e.kind] ?? "#8b98a5";
const clock = t => new Date(t).toLocaleTimeString([], { hour12: false });
const title = e => `${clock(e.time)} ${e.kind}: ${e.action} ${e.target} → ${e.result}${e.detail ? `\n${e.detail}` : ""}`;

/** The events worth a line across the charts: everything but routine health ups and unchanged reloads. */
export function chartEvents() {
  return store.events.filter(e => !hidden.has(e.kind) && !(e.kind === "health" && e.result === "up") && e.result !== "unchanged")
    .slice(-200).map(e => ({ time: e.time, color: color(e), title: title(e) }));
}

export function renderTimeline() {
  const { start, end } = window15();
  const recent = store.events.filter(e => e.time >= start);
  document.getElementById("timeline-summary").textContent =
    `${recent.length} events in the last 15 minutes${store.config.auditLog ? ` · audit log: ${store.config.auditLog}` : ""}`;
  renderFilters();
  const strip = document.getElementById("timeline-strip");
  const W = Math.max(200, Math.round(strip.clientWidth || 600));
  const x = t => LEFT + (t - start) / Math.max(1, end - start) * (W - LEFT - RIGHT);
  const marks = recent.filter(e => !hidden.has(e.kind)).map(e =>
    `<rect class="marker" data-seq="${e.seq}" data-kind="${esc(e.kind)}" x="${(x(e.time) - 2).toFixed(1)}" y="${2 + KINDS.indexOf(e.kind) * 10}" width="4" height="8" fill="${color(e)}"><title>${esc(title(e))}</title></rect>`);
  const lanes = KINDS.map((k, i) => `<text x="${LEFT - 4}" y="${9 + i * 10}" text-anchor="end" font-size="9" fill="#8b98a5">${k}</text>`);
  strip.innerHTML = `<svg viewBox="0 0 ${W} 64" preserveAspectRatio="none" data-strip><line x1="${LEFT}" x2="${W - RIGHT}" y1="63" y2="63" stroke="#2a3541"/>${lanes.join("")}${marks.join("")}</svg>`;
  const list = store.events.filter(e => !hidden.has(e.kind)).slice(-SHOWN).reverse();
  document.getElementById("events").innerHTML = list.map(e => {
    const actor = e.client ? `${e.via} from ${e.client}${e.token ? ` · token ${e.token}` : ""}` : e.via;
    return `<div class="event ${esc(e.severity)}" data-seq="${e.seq}" data-kind="${esc(e.kind)}" data-action="${esc(e.action)}" data-result="${esc(e.result)}" data-target="${esc(e.target)}">
      <span class="time" title="${esc(new Date(e.time).toISOString())}">${clock(e.time)}</span><span class="kind ${esc(e.kind)}">${esc(e.kind)}</span>
      <span class="target">${esc(e.action)} ${esc(e.target)}</span><span class="result"><b>${esc(e.result)}</b></span>
      <span class="detail">${esc(e.detail ?? "")}</span><span class="actor">${esc(actor)}${e.audited ? " · audited" : ""}</span></div>`;
  }).join("") || `<div class="kv">no events yet</div>`;
}

function renderFilters() {
  const host = document.getElementById("timeline-filters");
  if (host.childElementCount) {
    for (const b of host.children) b.classList.toggle("on", !hidden.has(b.dataset.kind));
    return;
  }
  host.innerHTML = KINDS.map(k => `<button class="on" data-kind="${k}">${k}</button>`).join("");
  host.addEventListener("click", e => {
    const kind = e.target.dataset.kind;
    if (!kind) return;
    hidden.has(kind) ? hidden.delete(kind) : hidden.add(kind);
    renderTimeline();
  });
}
