// SPDX-License-Identifier: GPL-2.0-only
// A VM's text console: xterm.js over the daemon's /console websocket,
// authenticated with the session. When the websocket cannot be opened, the
// console output so far (VM.get_console_output) is shown read-only.
import { Terminal } from './xterm.mjs';
import { api, session } from './rpc.js';
import { h } from './ui.js';

export class ConsoleWidget {
  constructor(vmRef) {
    this.vmRef = vmRef;
    this.state = h('p', { class: 'console-state', role: 'status', 'data-testid': 'console-state' }, 'Console closed.');
    this.screen = h('div', { class: 'console-screen', 'data-testid': 'console-screen' });
    this.openBtn = h('button', { type: 'button', onclick: () => this.open() }, 'Open console');
    this.closeBtn = h('button', { type: 'button', onclick: () => this.close(), disabled: true }, 'Close console');
    this.el = h('section', { class: 'console', 'aria-label': 'VM console' },
      h('div', { class: 'actions' }, this.openBtn, this.closeBtn), this.state, this.screen);
    this.term = null;
    this.ws = null;
    this.timer = null;
  }

  setState(text) {
    this.state.textContent = text;
  }

  ensureTerm() {
    if (this.term) return;
    this.term = new Terminal({ rows: 20, cols: 90, convertEol: true, fontSize: 14,
      fontFamily: 'DejaVu Sans Mono, monospace', screenReaderMode: true });
    this.term.open(this.screen);
    this.term.onData((d) => {
      if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(d);
    });
  }

  open() {
    this.close();
    this.ensureTerm();
    this.term.reset();
    this.openBtn.disabled = true;
    this.closeBtn.disabled = false;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${proto}//${location.host}/console?session_id=${encodeURIComponent(session.ref)}&vm=${encodeURIComponent(this.vmRef)}`;
    this.setState('Connecting…');
    let opened = false;
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      opened = true;
      this.setState('Connected: live console. Keys typed here go to the VM.');
      this.term.focus();
    };
    ws.onmessage = (ev) => {
      this.term.write(typeof ev.data === 'string' ? ev.data : new Uint8Array(ev.data));
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (opened) {
        this.setState(`Console closed${ev.reason ? ': ' + ev.reason : ''}.`);
        this.openBtn.disabled = false;
        this.closeBtn.disabled = true;
      } else {
        this.fallback();
      }
    };
  }

  // No live console: poll the output the daemon keeps.
  async fallback() {
    this.setState('Live console unavailable; showing the console output (read-only).');
    let shown = 0;
    const poll = async () => {
      try {
        const text = await api('VM.get_console_output', this.vmRef);
        if (text.length > shown) {
          this.term.write(text.slice(shown));
          shown = text.length;
        }
      } catch (e) {
        this.setState('Console output unavailable.');
        this.close();
      }
    };
    await poll();
    if (!this.closeBtn.disabled) this.timer = setInterval(poll, 2000);
  }

  close() {
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.close(1000, 'closed by user');
      this.setState('Console closed.');
    }
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.openBtn.disabled = false;
    this.closeBtn.disabled = true;
  }

  dispose() {
    this.close();
    if (this.term) this.term.dispose();
    this.term = null;
  }
}
