// SPDX-License-Identifier: GPL-2.0-only
// The client's copy of the objects it shows, kept current with event.from.
//
// Start: event.from with the empty token (its token, and every object as
// "add" where the server sends them), then get_all_records per class, then
// event.from(token) in a loop. Events carry the object's record; "del"
// removes it. Listeners run after every batch.
import { api } from './rpc.js';

export const CLASSES = ['pool', 'host', 'host_metrics', 'host_cpu', 'VM', 'VM_metrics',
  'VBD', 'VDI', 'SR', 'VIF', 'network', 'task', 'console'];
const byLower = Object.fromEntries(CLASSES.map((c) => [c.toLowerCase(), c]));

export const db = Object.fromEntries(CLASSES.map((c) => [c, new Map()]));
const listeners = new Set();
let generation = 0;
export const status = { live: false, error: null };

export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// changed: the set of classes that changed, or null for everything.
function notify(changed = null) {
  for (const fn of listeners) fn(changed);
}

export function get(cls, ref) {
  return db[cls].get(ref);
}

function apply(events) {
  const changed = new Set();
  for (const ev of events || []) {
    const cls = byLower[String(ev.class).toLowerCase()];
    if (!cls) continue;
    changed.add(cls);
    if (ev.operation === 'del') db[cls].delete(ev.ref);
    else if (ev.snapshot) db[cls].set(ev.ref, ev.snapshot);
  }
  return changed;
}

async function loadAll() {
  const first = await api('event.from', CLASSES, '', 0.001);
  const all = await Promise.all(CLASSES.map((c) => api(`${c}.get_all_records`).catch(() => ({}))));
  CLASSES.forEach((c, i) => { db[c] = new Map(Object.entries(all[i] || {})); });
  apply(first.events);
  return first.token;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Runs until stop() or the session ends.
export async function start() {
  const me = ++generation;
  let token = null;
  while (me === generation) {
    try {
      if (token === null) {
        token = await loadAll();
        status.live = true;
        status.error = null;
        notify();
      }
      const r = await api('event.from', CLASSES, token, 29.5);
      if (me !== generation) return;
      token = r.token;
      if (r.events && r.events.length) notify(apply(r.events));
    } catch (e) {
      if (me !== generation || e.code === 'SESSION_INVALID') return;
      if (e.code === 'EVENTS_LOST') { token = null; continue; }
      status.live = false;
      status.error = e;
      notify();
      await sleep(2000);
      token = null;
    }
  }
}

export function stop() {
  generation++;
  for (const c of CLASSES) db[c] = new Map();
  status.live = false;
}
