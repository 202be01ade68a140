// What the page knows: the samples of the last 15 minutes, aligned by sample number, merged from each poll.
// Every series array is aligned with store.times: index i is sample store.first + i.
export const store = {
  startedAt: null, first: 0, count: 0, capacity: 900,
  times: [], pools: {}, listeners: {}, backends: {}, events: [], eventSequence: 0,
  node: {}, config: {}, failover: {}, announce: null, now: Date.now(),
};

const EVENTS_KEPT = 2000;

/** Appends the samples numbered [from, from + values.length) to a series aligned with the store (gaps are null). */
function append(series, from, values) {
  while (series.length < from - store.first) series.push(null);
  for (let i = 0; i < values.length; i++) series[from - store.first + i] = values[i];
}

/** A series of the whole window from an answer that starts at sample <from> (nulls before it). */
function whole(from, values, count) {
  const series = new Array(count - store.first).fill(null);
  for (let i = 0; i < values.length; i++) if (from + i >= store.first) series[from + i - store.first] = values[i];
  return series;
}

/** Merges the series object <incoming> (arrays from sample <from>) into <target>. */
function mergeSeries(target, incoming, from) {
  for (const [name, values] of Object.entries(incoming ?? {})) {
    if (!Array.isArray(values)) continue;
    target[name] ??= [];
    append(target[name], from, values);
  }
}

function trim(series, drop) { if (drop > 0) series.splice(0, drop); }

/** Takes one poll's answer into the store. */
export function merge(r) {
  if (store.startedAt !== r.startedAt) {
    // A new process (or the first poll): nothing we had is comparable.
    Object.assign(store, { startedAt: r.startedAt, first: r.first, count: r.first, times: [], pools: {}, listeners: {}, backends: {}, events: [], eventSequence: 0 });
  }
  store.capacity = r.capacity;
  store.now = r.now;
  append(store.times, r.first, r.times);
  for (const [name, pool] of Object.entries(r.pools)) {
    const mine = store.pools[name] ?? (store.pools[name] = { series: {} });
    Object.assign(mine, { ...pool, series: mine.series });
    mergeSeries(mine.series, pool.series, r.first);
  }
  for (const name of Object.keys(store.pools)) if (!(name in r.pools)) delete store.pools[name];
  for (const [name, listener] of Object.entries(r.listeners)) {
    const mine = store.listeners[name] ?? (store.listeners[name] = { series: {} });
    const previous = mine.routes;
    Object.assign(mine, { ...listener, series: mine.series, previousRoutes: previous, polledAt: r.now, previousAt: mine.polledAt });
    mergeSeries(mine.series, listener.series, r.first);
  }
  for (const name of Object.keys(store.listeners)) if (!(name in r.listeners)) delete store.listeners[name];
  const backends = {};
  for (const [key, b] of Object.entries(r.backends)) {
    const mine = store.backends[key];
    const series = {};
    for (const [name, values] of Object.entries(b)) {
      if (!Array.isArray(values)) continue;
      if (mine && b.first >= store.first && mine.series[name]) { series[name] = mine.series[name]; append(series[name], b.first, values); }
      else series[name] = whole(b.first, values, r.count);
    }
    backends[key] = { series };
  }
  store.backends = backends;
  store.count = r.count;
  // Keep one window: drop what fell out of it from every series at once.
  const drop = Math.max(0, r.count - store.capacity + 1 - store.first);
  if (drop > 0) {
    store.first += drop;
    trim(store.times, drop);
    for (const o of [...Object.values(store.pools), ...Object.values(store.listeners), ...Object.values(store.backends)]) {
      for (const s of Object.values(o.series)) trim(s, drop);
    }
  }
  for (const s of [store.times, ...[...Object.values(store.pools), ...Object.values(store.listeners), ...Object.values(store.backends)].flatMap(o => Object.values(o.series))]) {
    while (s.length < store.count - store.first) s.push(null);
  }
  store.events.push(...r.events);
  if (store.events.length > EVENTS_KEPT) store.events.splice(0, store.events.length - EVENTS_KEPT);
  store.eventSequence = r.eventSequence;
  Object.assign(store, { node: r.node, config: r.config, failover: r.failover, announce: r.announce ?? null });
}

/**
 * The x-axis of every chart and of the timeline: the 15 minutes up to the last sample, or, while the process is younger
 * than that, from its first sample (at least a minute), so a fresh dashboard is not a sliver at the right edge.
 */
export function window15() {
  const end = store.times.length ? store.times[store.times.length - 1] : store.now;
  const oldest = store.times.find(t => t !== null) ?? end;
  return { start: Math.min(end - 60_000, Math.max(end - 15 * 60_000, oldest)), end };
}
