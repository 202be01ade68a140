// Hand-drawn SVG line charts on one shared time axis (the last 15 minutes). No library: a path per series, a red
// overlay where a backend was down, dashed lines where events happened, a tooltip on hover.
const H = 150, LEFT = 46, RIGHT = 8, TOP = 8, BOTTOM = 18;
const SVG = "http://www.w3.org/2000/svg";

export const palette = ["#58a6ff", "#3fb950", "#d29922", "#bc8cff", "#39c5cf", "#ffa657", "#e3b341", "#a5d6ff",
  "#7ee787", "#f778ba", "#79c0ff", "#d2a8ff"];
export const red = "#f85149";

export const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const known = v => v !== null && v !== undefined && !Number.isNaN(v);

/** A number as a chart shows it: 1.2k, 3.4M; bytes as KiB/MiB; milliseconds with a unit. */
export function fmt(v, unit = "") {
  if (!known(v)) return "–";
  if (unit === "B/s") {
    const k = ["B/s", "KiB/s", "MiB/s", "GiB/s"];
    let i = 0; while (Math.abs(v) >= 1024 && i < k.length - 1) { v /= 1024; i++; }
    return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${k[i]}`;
  }
  const a = Math.abs(v);
  const s = a >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : a >= 1e4 ? `${(v / 1e3).toFixed(0)}k` : a >= 1e3 ? `${(v / 1e3).toFixed(1)}k`
    : a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : a === 0 ? "0" : v.toFixed(3);
  return unit ? `${s} ${unit}` : s;
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

const clock = (t, seconds) => new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: seconds ? "2-digit" : undefined, hour12: false });
const charts = new Map();

/** Creates (once) and returns the box of chart <id> inside <host>. */
export function chartBox(host, id, title) {
  let box = host.querySelector(`:scope > .chart[data-box="${CSS.escape(id)}"]`);
  if (!box) {
    box = document.createElement("div");
    box.className = "chart";
    box.dataset.box = id;
    box.innerHTML = `<div class="title"><span>${esc(title)}</span><span class="now"></span></div>
      <svg data-chart="${esc(id)}" preserveAspectRatio="none"></svg><div class="legend"></div>`;
    host.appendChild(box);
    const svg = box.querySelector("svg");
    svg.addEventListener("mousemove", e => hover(id, e));
    svg.addEventListener("mouseleave", () => { document.getElementById("tooltip").hidden = true; charts.get(id).cursor = null; draw(id); });
  }
  return box;
}

/**
 * Draws a chart. spec: { unit, times (ms, one per sample), start, end (ms), lines: [{ name, label, color, values,
 * health (optional: 1 = down at that sample, drawn red), down (now) }], events: [{ time, color, title }] }.
 */
export function renderChart(box, spec) {
  const id = box.dataset.box;
  const entry = charts.get(id) ?? { cursor: null };
  entry.box = box; entry.spec = spec;
  charts.set(id, entry);
  draw(id);
}

function draw(id) {
  const { box, spec, cursor } = charts.get(id);
  const svg = box.querySelector("svg");
  const W = Math.max(200, Math.round(svg.clientWidth || box.clientWidth || 600));
  const { times, start, end } = spec;
  let max = 0;
  for (const line of spec.lines) for (const v of line.values) if (known(v) && v > max) max = v;
  max = niceMax(max);
  const x = t => LEFT + (t - start) / Math.max(1, end - start) * (W - LEFT - RIGHT);
  const y = v => TOP + (1 - v / max) * (H - TOP - BOTTOM);
  const parts = [];
  for (const f of [0, 0.5, 1]) {
    parts.push(`<line class="grid" x1="${LEFT}" x2="${W - RIGHT}" y1="${y(max * f).toFixed(1)}" y2="${y(max * f).toFixed(1)}"/>`,
      `<text x="${LEFT - 4}" y="${(y(max * f) + 3).toFixed(1)}" text-anchor="end">${esc(fmt(max * f, spec.unit === "B/s" ? "B/s" : ""))}</text>`);
  }
  const span = end - start;
  const step = [15_000, 30_000, 60_000, 120_000, 300_000].find(s => span / s <= 6) ?? 300_000;
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) {
    parts.push(`<text x="${x(t).toFixed(1)}" y="${H - 4}" text-anchor="middle">${clock(t, step < 60_000)}</text>`);
  }
  for (const e of spec.events ?? []) {
    if (e.time < start || e.time > end) continue;
    parts.push(`<line class="event" x1="${x(e.time).toFixed(1)}" x2="${x(e.time).toFixed(1)}" y1="${TOP}" y2="${H - BOTTOM}" stroke="${e.color}"><title>${esc(e.title)}</title></line>`);
  }
  for (const line of spec.lines) {
    let d = "", downD = "", points = 0, last = null, pen = false;
    for (let i = 0; i < line.values.length; i++) {
      const v = line.values[i];
      if (!known(v) || !known(times[i])) { pen = false; continue; }
      const px = x(times[i]).toFixed(1), py = y(v).toFixed(1);
      d += `${pen ? "L" : "M"}${px},${py}`;
      if (line.health && line.health[i] === 1 && pen && known(line.values[i - 1])) {
        downD += `M${x(times[i - 1]).toFixed(1)},${y(line.values[i - 1]).toFixed(1)}L${px},${py}`;
      }
      pen = true; points++; last = v;
    }
    parts.push(`<path class="line" data-series="${esc(line.name)}" data-points="${points}" data-last="${last ?? ""}" stroke="${line.color}" d="${d}"/>`);
    if (downD) parts.push(`<path class="down" data-series="${esc(line.name)}" d="${downD}"/>`);
  }
  if (cursor !== null && known(times[cursor])) {
    parts.push(`<line class="cursor" x1="${x(times[cursor]).toFixed(1)}" x2="${x(times[cursor]).toFixed(1)}" y1="${TOP}" y2="${H - BOTTOM}"/>`);
  }
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.dataset.max = max;
  svg.innerHTML = parts.join("");
  box.querySelector(".legend").innerHTML = spec.lines.map(l => {
    const latest = [...l.values].reverse().find(known);
    return `<span class="${l.down ? "is-down" : ""}" data-legend="${esc(l.name)}"><span class="sw" style="background:${l.down ? red : l.color}"></span>`
      + `${esc(l.label ?? l.name)} ${esc(fmt(latest, spec.unit))}${l.down ? " DOWN" : ""}</span>`;
  }).join("");
}

function hover(id, e) {
  const entry = charts.get(id);
  if (!entry) return;
  const { box, spec } = entry;
  const svg = box.querySelector("svg"), rect = svg.getBoundingClientRect();
  const vb = svg.viewBox.baseVal.width || rect.width;
  const px = (e.clientX - rect.left) * vb / Math.max(1, rect.width);
  const t = spec.start + (px - LEFT) / Math.max(1, vb - LEFT - RIGHT) * (spec.end - spec.start);
  let best = null;
  spec.times.forEach((tt, i) => { if (known(tt) && (best === null || Math.abs(tt - t) < Math.abs(spec.times[best] - t))) best = i; });
  if (best === null) return;
  entry.cursor = best;
  draw(id);
  const tip = document.getElementById("tooltip");
  tip.textContent = [new Date(spec.times[best]).toLocaleTimeString([], { hour12: false }),
    ...spec.lines.map(l => `${l.label ?? l.name}: ${fmt(l.values[best], spec.unit)}${l.health && l.health[best] === 1 ? " (down)" : ""}`)].join("\n");
  tip.hidden = false;
  tip.style.left = `${Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 8)}px`;
  tip.style.top = `${e.clientY + 14}px`;
}
