// SPDX-License-Identifier: GPL-2.0-only
// XenAPI over JSON-RPC 2.0 on /jsonrpc (same origin), the session, and tasks.

export class XapiError extends Error {
  constructor(code, params = []) {
    super(`${code}${params.length ? ' ' + params.join(' ') : ''}`);
    this.code = code;
    this.params = params;
  }
}

let nextId = 1;

// One JSON-RPC call; resolves with the result or throws XapiError.
export async function call(method, params) {
  let resp;
  try {
    resp = await fetch('/jsonrpc', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
      credentials: 'same-origin',
    });
  } catch (e) {
    throw new XapiError('NETWORK_ERROR', [String(e && e.message || e)]);
  }
  if (!resp.ok) throw new XapiError('HTTP_ERROR', [String(resp.status)]);
  let body;
  try {
    body = await resp.json();
  } catch (e) {
    throw new XapiError('BAD_REPLY', ['not JSON']);
  }
  if (body.error) {
    const err = body.error;
    if (Array.isArray(err)) throw new XapiError(String(err[0]), err.slice(1).map(String));
    const data = Array.isArray(err.data) ? err.data.map(String) : [];
    throw new XapiError(String(err.message || 'INTERNAL_ERROR'), data);
  }
  return body.result;
}

export const session = {
  ref: sessionStorage.getItem('cairn.session') || null,
  user: sessionStorage.getItem('cairn.user') || '',
  onInvalid: null,
};

function remember() {
  if (session.ref) {
    sessionStorage.setItem('cairn.session', session.ref);
    sessionStorage.setItem('cairn.user', session.user);
  } else {
    sessionStorage.removeItem('cairn.session');
    sessionStorage.removeItem('cairn.user');
  }
}

export async function login(user, password) {
  session.ref = await call('session.login_with_password', [user, password, '1.0', 'Cairn web console']);
  session.user = user;
  remember();
}

export async function logout() {
  const ref = session.ref;
  session.ref = null;
  remember();
  if (ref) {
    try { await call('session.logout', [ref]); } catch (e) { /* already gone */ }
  }
}

// A call with the session; SESSION_INVALID sends the user back to the login.
export async function api(method, ...args) {
  if (!session.ref) throw new XapiError('SESSION_INVALID', []);
  try {
    return await call(method, [session.ref, ...args]);
  } catch (e) {
    if (e.code === 'SESSION_INVALID' && session.ref) {
      session.ref = null;
      remember();
      if (session.onInvalid) session.onInvalid();
    }
    throw e;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A task's result is an XML-RPC <value> as text (as in xapi); refs and
// strings are its text content.
export function taskResult(text) {
  if (!text || !text.trim().startsWith('<value')) return text || '';
  const doc = new DOMParser().parseFromString(text, 'text/xml');
  if (doc.getElementsByTagName('parsererror').length) return text;
  return doc.documentElement.textContent.trim();
}

// Waits for a task to end (its record, polled), destroys it, returns its result.
export async function waitTask(ref, onProgress) {
  for (;;) {
    const t = await api('task.get_record', ref);
    if (onProgress) onProgress(t);
    if (t.status !== 'pending' && t.status !== 'cancelling') {
      try { await api('task.destroy', ref); } catch (e) { /* another client may have */ }
      if (t.status === 'success') return taskResult(t.result);
      const info = t.error_info && t.error_info.length ? t.error_info : ['TASK_CANCELLED'];
      throw new XapiError(String(info[0]), info.slice(1).map(String));
    }
    await sleep(300);
  }
}
