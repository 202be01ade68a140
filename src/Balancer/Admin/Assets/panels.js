// The cluster, routes and config panels.
import { store } from "./store.js";
import { esc, fmt } from "./chart.js";
import { ago } from "./app.js";

const KNOWN_FAILOVER = new Set(["state", "nodeId", "bind", "vipAction", "priority", "effectivePriority", "trackedHealthy", "peer",
  "transitions", "dualMasterEvents", "configDrift", "advertGaps", "rejectedPackets", "groups", "paths", "witness"]);

/** Any JSON value as nested definition lists (for fields this page does not know yet). */
function generic(value, depth = 0) {
  if (value === null || typeof value !== "object") return esc(value ?? "–");
  if (Array.isArray(value)) return value.length === 0 ? "[]" : `<ol>${value.map(v => `<li>${generic(v, depth + 1)}</li>`).join("")}</ol>`;
  if (depth > 3) return esc(JSON.stringify(value));
  return `<dl>${Object.entries(value).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${generic(v, depth + 1)}</dd>`).join("")}</dl>`;
}

const card = (title, body, attrs = "") => `<div class="card" ${attrs}><h3>${title}</h3>${body}</div>`;
const dl = pairs => `<dl>${pairs.filter(p => p).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join("")}</dl>`;

/** Whether the config has an announce block (the poll always says its state, "disabled" when none). */
const announcing = () => (store.announce?.state ?? "disabled") !== "disabled";

export function renderCluster() {
  const f = store.failover ?? { state: "disabled" };
  const host = document.getElementById("cluster-body");
  if (f.state === "disabled") {
    host.innerHTML = `<p class="kv">This node runs alone: the config has no failover block.</p>${announcing() ? card("Announcement (ECMP)", generic(store.announce), "data-announce") : ""}`;
    return;
  }
  const peer = f.peer ?? {};
  const cards = [
    card(`This node · <span class="badge ${esc(f.state)}" data-node-state>${esc(f.state)}</span>`, dl([
      ["node", esc(f.nodeId)], ["priority", `${esc(f.effectivePriority)} of ${esc(f.priority)}${f.trackedHealthy === false ? " (tracked pools sick)" : ""}`],
      ["adverts on", esc(f.bind)], ["virtual IPs by", esc(f.vipAction)], ["transitions", esc(f.transitions)],
      ["dual master", esc(f.dualMasterEvents)], f.advertGaps && ["longest advert gap", `sent ${fmt(f.advertGaps.longestSentMs, "ms")}, heard ${fmt(f.advertGaps.longestHeardMs, "ms")}`]]), "data-node"),
    card("Peer", dl([["node", esc(peer.nodeId ?? "not heard yet")], ["last advert", esc(ago(peer.lastSeen))],
      ["config hash", `${esc((peer.configHash ?? "–").slice(0, 12))} ${f.configDrift ? '<span class="badge drift">drift: not our config</span>' : peer.configHash ? '<span class="ok">same as ours</span>' : ""}`]]), "data-peer"),
  ];
  const groups = f.groups ?? [];
  if (groups.length) cards.push(card(groups.length > 1 ? "Groups (active-active)" : "Group", groupTable(groups), "data-groups"));
  if ((f.paths ?? []).length) cards.push(card("Heartbeat paths", pathTable(f.paths), "data-paths"));
  if (f.witness) cards.push(card(`Witness · ${witnessBadge(f.witness)}`, witnessList(f.witness), "data-witness"));
  const rejected = Object.entries(f.rejectedPackets ?? {});
  if (rejected.length) cards.push(card("Rejected adverts", dl(rejected.map(([k, v]) => [k, esc(v)]))));
  const extra = Object.fromEntries(Object.entries(f).filter(([k]) => !KNOWN_FAILOVER.has(k)));
  if (Object.keys(extra).length) cards.push(card("More", generic(extra)));
  if (announcing()) cards.push(card("Announcement (ECMP)", generic(store.announce), "data-announce"));
  host.innerHTML = `<div class="cluster">${cards.join("")}</div>`;
}

/** Each group of virtual IPs (#23): this node's state and priority in it, its master, the peer's last advert, per path. */
function groupTable(groups) {
  return `<table><thead><tr><th>group</th><th>state</th><th>priority</th><th>master</th><th>virtual IPs</th><th>peer's last advert</th></tr></thead><tbody>
    ${groups.map(g => `<tr data-group="${esc(g.name)}"><td>${esc(g.name)}</td>
      <td><span class="badge ${esc(g.state)}" data-group-state>${esc(g.state)}</span></td>
      <td class="num">${esc(g.effectivePriority)}${g.effectivePriority !== g.priority ? ` of ${esc(g.priority)}` : ""}${g.trackedHealthy === false ? " (tracked pools sick)" : ""}</td>
      <td data-group-master>${esc(g.master ?? "none known")}</td><td>${esc((g.virtualIps ?? []).join(", "))}</td>
      <td>${g.peer?.nodeId ? `${esc(g.peer.nodeId)} ${esc(g.peer.state)} ${esc(g.peer.priority)}, ${esc(ago(g.peer.lastAdvert))}` : "not heard yet"}
        ${(g.paths ?? []).map(p => `<div class="kv">by ${esc(p.address)}: ${esc(ago(p.lastAdvert))}</div>`).join("")}</td></tr>`).join("")}</tbody></table>`;
}

/** Each heartbeat path to each peer: its last advert, and whether it is silent while another works (a failed link). */
function pathTable(paths) {
  return `<table><tbody>${paths.map(p => `<tr data-path="${esc(p.address)}"><td>${esc(p.peer ?? "peer")}</td><td>${esc(p.address)}</td>
    <td>${esc(ago(p.lastAdvert))}</td><td>${p.silent ? '<span class="badge fault" data-path-silent>silent</span>' : '<span class="ok">working</span>'}</td></tr>`).join("")}</tbody></table>`;
}

const witnessBadge = w => w.reachable === true ? '<span class="badge master" data-witness-state>reachable</span>'
  : w.reachable === false ? '<span class="badge fault" data-witness-state>no answer</span>' : '<span class="badge init" data-witness-state>not asked yet</span>';

function witnessList(w) {
  return dl([["address", esc(w.address)], ["required", w.required ? "yes: no takeover without its answer" : "no: without an answer, plain VRRP"],
    ["last answer", w.lastAnswer ? `${esc(ago(w.lastAnswer))}: ${w.lastAnswerMaster ? `master ${esc(w.lastAnswerMaster)} heard ${fmt(w.lastAnswerHeardAgoMs, "ms")} before` : "hears no master"}` : "none yet"],
    ["queries", `${esc(w.asked)} asked, ${esc(w.answered)} answered, ${esc(w.timedOut)} timed out, ${esc(w.refused)} refused`]]);
}

// How a split's requests went, and what became of a mirror's copies.
function spread(r) {
  const split = (r.split ?? []).map(s => `${s.pool} ${s.share}% (${s.requests})`).join(", ");
  const m = r.mirror;
  const mirror = m ? `mirror → ${m.pool}: ${m.sent} sent, ${m.failed} failed, ${m.dropped} dropped, ${m.tooLarge} too large` : "";
  return [split, mirror].filter(x => x).join("; ");
}

export function renderRoutes() {
  const host = document.getElementById("routes-body");
  host.innerHTML = Object.entries(store.listeners).map(([name, l]) => {
    const seconds = l.previousAt ? (l.polledAt - l.previousAt) / 1000 : 0;
    const rate = r => {
      const before = (l.previousRoutes ?? []).find(p => p.index === r.index && p.match === r.match && p.action === r.action);
      return before && seconds > 0 ? fmt(Math.max(0, (r.requests - before.requests) / seconds)) : "–";
    };
    const head = `<h3 data-listener="${esc(name)}">${esc(name)} <span class="kv">${esc(l.protocol)}${l.tls ? " + TLS" : ""} on ${esc(l.address ?? l.bind)}${l.redirectToHttps ? ` · other requests redirected to https port ${esc(l.redirectToHttps)}` : ""}</span></h3>`;
    if (l.protocol === "tcp") return `${head}<table><tbody><tr data-route="${esc(name)}/tcp"><td>every connection</td><td>pool ${esc(l.pool)}</td></tr></tbody></table>`;
    return `${head}<table><thead><tr><th>#</th><th>match</th><th>action</th><th class="num">requests</th><th class="num">req/s</th><th>split / mirror</th></tr></thead><tbody>
      ${l.routes.map(r => `<tr data-route="${esc(name)}/${r.index}"><td>${r.index}</td><td>${esc(r.match)}</td><td>${esc(r.action)}</td>
        <td class="num">${r.requests}</td><td class="num">${rate(r)}</td><td>${esc(spread(r))}</td></tr>`).join("")}</tbody></table>`;
  }).join("");
}

let rejectedAt = null, runningHash = null;

export function renderConfig() {
  const c = store.config;
  document.getElementById("config-body").innerHTML = dl([
    ["file", esc(c.path)], ["running", `sha256 <b data-config-hash>${esc((c.hash ?? "").slice(0, 12))}</b>, loaded ${esc(ago(c.loadedAt))} (${esc(c.loadedAt)})`],
    ["reloads", `${c.reloadsApplied} applied, ${c.reloadsRejected} rejected since start`], ["audit log", esc(c.auditLog ?? "off (admin.auditLog)")],
    ["last load", c.lastError ? `<span class="error">rejected ${esc(ago(c.lastErrorAt))}: the running config keeps serving</span>` : '<span class="ok">applied: the running config is the file on disk</span>']]);
  if (c.rejectedAt !== rejectedAt) {
    rejectedAt = c.rejectedAt;
    if (rejectedAt) loadRejected(); else document.getElementById("rejected").innerHTML = "";
  }
  if (c.hash !== runningHash) {
    runningHash = c.hash;
    const running = document.getElementById("running");
    running.innerHTML = `<details><summary>Running config (sha256 ${esc((c.hash ?? "").slice(0, 12))})</summary><pre class="code" data-running></pre></details>`;
    running.querySelector("details").addEventListener("toggle", async e => {
      if (!e.target.open) return;
      const r = await fetch("config", { credentials: "same-origin", cache: "no-store" });
      running.querySelector("pre").innerHTML = lines(await r.text(), []);
    });
  }
}

/** A file as numbered lines, each error's line marked and a caret under its column with the message. */
function lines(text, errors) {
  const at = new Map();
  for (const e of errors.filter(e => e.line > 0)) at.set(e.line, [...(at.get(e.line) ?? []), e]);
  return text.split("\n").map((line, i) => {
    const n = i + 1, here = at.get(n) ?? [];
    const marks = here.map(e => `<span class="code-line marker" data-config-error-line="${n}" data-column="${e.column}"><span class="no"></span>${" ".repeat(Math.max(0, e.column - 1))}^ ${esc(e.path ? `${e.path}: ` : "")}${esc(e.message)}</span>`);
    return `<span class="code-line${here.length ? " error" : ""}" data-line="${n}"><span class="no">${n}</span>${esc(line)}</span>${marks.join("")}`;
  }).join("");
}

async function loadRejected() {
  const r = await fetch("console/rejected", { credentials: "same-origin", cache: "no-store" });
  const { rejected } = await r.json();
  const host = document.getElementById("rejected");
  if (!rejected) { host.innerHTML = ""; return; }
  const superseded = store.config.loadedAt && Date.parse(store.config.loadedAt) > Date.parse(rejected.at);
  const unplaced = rejected.errors.filter(e => e.line === 0);
  host.innerHTML = `<h3>Last rejected file <span class="kv">${esc(ago(rejected.at))} · sha256 ${esc((rejected.hash ?? "").slice(0, 12))}
      ${superseded ? "· a later load was applied since" : "· the config before it keeps serving"}</span></h3>
    <div class="config-errors error">${rejected.errors.map(e => `<div data-config-error="${e.line}:${e.column}">${esc(e.text)}</div>`).join("")}</div>
    ${rejected.text ? `<pre class="code" data-rejected>${lines(rejected.text, rejected.errors)}</pre>` : ""}
    ${unplaced.length && rejected.text ? '<p class="kv">Errors without a line concern the whole file or the running process.</p>' : ""}`;
  const first = host.querySelector(".code-line.error");
  if (first) first.parentElement.scrollTop = Math.max(0, first.offsetTop - 80);
}
