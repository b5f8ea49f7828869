// SPDX-License-Identifier: GPL-2.0-only
// Browser scenarios for the web console, driven by test_webconsole.py:
//   node run.mjs '<json config>'
// config: {scenario, base, user, password, other_user, other_password,
//          daemon (https URL for direct JSON-RPC), artifacts, disk, live_console}
// Prints one JSON line {ok, steps, error} last; exit status 0 when ok.
// Chromium is Debian's (/usr/bin/chromium), headless, with a fresh profile.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', 'xapi-c', 'www', 'package.json'));
const { chromium } = require('playwright-core');

const cfg = JSON.parse(process.argv[2]);
const steps = [];
const consoleErrors = [];
const step = (s) => { steps.push(s); process.stderr.write(`step: ${s}\n`); };
mkdirSync(cfg.artifacts, { recursive: true });

async function rpc(method, params) {
  // Straight to the daemon (not through the page): an outside client.
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const r = await fetch(`${cfg.daemon}/jsonrpc`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = await r.json();
  if (body.error) throw new Error(`${method}: ${body.error.message} ${JSON.stringify(body.error.data)}`);
  return body.result;
}

async function shot(page, name) {
  await page.screenshot({ path: join(cfg.artifacts, `${name}.png`), fullPage: true });
  const text = await page.evaluate(() => document.body.innerText);
  if (/\[object |undefined|NaN/.test(text)) throw new Error(`${name}: the page shows a rendering slip: ${text.slice(0, 400)}`);
}

async function login(page, user, password) {
  await page.goto(cfg.base + '/');
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

// Waits until the terminal's rendered rows (what the user sees) contain text.
async function screenShows(page, text) {
  await page.waitForFunction((t) => {
    const rows = document.querySelector('[data-testid=console-screen] .xterm-rows');
    return rows && rows.textContent.includes(t);
  }, text, { timeout: 15000 });
}

const vmLink = (page, name) => page.getByRole('link', { name, exact: true });
const power = (page) => page.locator('h1 [data-testid=power-state]');

async function wrongPassword(page) {
  await login(page, cfg.user, 'certainly-not-the-password');
  step('submitted a wrong password');
  const err = page.getByTestId('login-error');
  await err.getByText('Wrong user name or password').waitFor({ timeout: 15000 });
  step(`error shown: ${await err.textContent()}`);
  if (await page.getByRole('button', { name: 'Log out' }).count()) throw new Error('logged in with a wrong password');
  await shot(page, 'login-wrong-password');
}

async function lifecycle(page) {
  await login(page, cfg.user, cfg.password);
  await page.getByTestId('live').getByText('Live').waitFor({ timeout: 15000 });
  await page.getByRole('heading', { name: 'Hosts' }).waitFor();
  await page.locator('table').first().getByText(/\d+ × /).waitFor();
  step('logged in; overview shows the host');
  await shot(page, 'overview');
  await page.evaluate(() => { window.__noReload = 'still here'; });

  await page.getByRole('link', { name: 'VMs', exact: true }).click();
  await page.getByRole('button', { name: 'New VM' }).click();
  const dlg = page.getByRole('dialog');
  await dlg.getByLabel('Name', { exact: true }).fill('web-vm-1');
  await dlg.getByLabel('Memory (MiB)').fill('256');
  await dlg.getByLabel('vCPUs').fill('2');
  await dlg.getByLabel('Size (GiB, 0 for none)').fill(cfg.disk ? '4' : '0');
  await dlg.getByLabel('Network', { exact: true }).selectOption({ label: 'web-net' });
  await dlg.getByLabel('Kernel arguments').fill('console=hvc0 quiet');
  await shot(page, 'create-vm-dialog');
  await dlg.getByRole('button', { name: 'Create VM' }).click();
  await page.getByRole('heading', { name: /web-vm-1/ }).waitFor({ timeout: 20000 });
  const nics = page.getByRole('table', { name: 'Network interfaces' });
  await nics.getByText('web-net').waitFor({ timeout: 10000 });
  step('VM created with a NIC on web-net');
  if (cfg.disk) {
    await page.getByRole('table', { name: 'Disks' }).getByText('web-vm-1 disk 0').waitFor({ timeout: 10000 });
    step('VM has its disk');
  }
  if ((await power(page).textContent()) !== 'Halted') throw new Error('new VM is not Halted');

  // A change made by another client shows up: event.from at work.
  const vmRef = decodeURIComponent(page.url().split('#/vm/')[1]);
  const s = await rpc('session.login_with_password', [cfg.user, cfg.password, '1.0', 'test']);
  await rpc('VM.set_name_description', [s, vmRef, 'changed from outside']);
  await page.getByText('changed from outside').waitFor({ timeout: 10000 });
  step('a change by another client appeared without reload');

  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await power(page).getByText('Running', { exact: true }).waitFor({ timeout: 20000 });
  step('started; power state became Running in place');
  await shot(page, 'vm-running');

  await page.getByRole('button', { name: 'Open console' }).click();
  const state = page.getByTestId('console-state');
  if (cfg.live_console) {
    await state.getByText('Connected').waitFor({ timeout: 10000 });
    step('live console connected');
  } else {
    await state.getByText('read-only').waitFor({ timeout: 10000 });
    step('no live console: read-only output shown');
  }
  await screenShows(page, 'login:');
  step('console shows the VM output (login:)');
  await shot(page, 'vm-console');
  await page.getByRole('button', { name: 'Close console' }).click();

  for (const [button, state] of [['Pause', 'Paused'], ['Unpause', 'Running'], ['Suspend', 'Suspended'], ['Resume', 'Running']]) {
    await page.getByRole('button', { name: button, exact: true }).click();
    await power(page).getByText(state, { exact: true }).waitFor({ timeout: 20000 });
  }
  step('paused, unpaused, suspended, resumed');

  await page.getByRole('button', { name: 'Shut down', exact: true }).click();
  await power(page).getByText('Halted', { exact: true }).waitFor({ timeout: 20000 });
  step('shut down; Halted');
  await page.getByRole('button', { name: 'Snapshot', exact: true }).click();
  await page.getByRole('dialog').getByLabel('Name').fill('web-vm-1 before');
  await page.getByRole('dialog').getByRole('button', { name: 'OK' }).click();
  await page.getByRole('table', { name: 'Snapshots' }).getByText('web-vm-1 before').waitFor({ timeout: 20000 });
  step('snapshot listed');
  await page.getByRole('button', { name: 'Clone', exact: true }).click();
  await page.getByRole('dialog').getByLabel('Name').fill('web-vm-1 clone');
  await page.getByRole('dialog').getByRole('button', { name: 'OK' }).click();
  await page.getByRole('link', { name: 'VMs', exact: true }).click();
  await vmLink(page, 'web-vm-1 clone').click();
  await page.getByRole('heading', { name: /web-vm-1 clone/ }).waitFor();
  await page.getByRole('table', { name: 'Network interfaces' }).getByText('web-net').waitFor();
  await page.getByRole('button', { name: 'Destroy', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Destroy' }).click();
  await vmLink(page, 'web-vm-1 clone').waitFor({ state: 'detached', timeout: 20000 });
  step('cloned (with its NIC), clone destroyed');
  await vmLink(page, 'web-vm-1').click();
  await page.getByRole('heading', { name: /web-vm-1/ }).waitFor();
  await page.getByRole('button', { name: 'Destroy', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Destroy' }).click();
  await page.getByRole('heading', { name: 'Virtual machines' }).waitFor({ timeout: 20000 });
  await vmLink(page, 'web-vm-1').waitFor({ state: 'detached', timeout: 20000 });
  const left = await rpc('VM.get_by_name_label', [s, 'web-vm-1']);
  if (left.length) throw new Error(`VM still exists: ${left}`);
  step('destroyed; gone from the list and the server');

  for (const [link, name] of [['Storage', 'storage'], ['Networks', 'networks'], ['Overview', 'overview-after']]) {
    await page.getByRole('link', { name: link }).click();
    await page.waitForTimeout(200);
    await shot(page, name);
  }
  if (await page.evaluate(() => window.__noReload) !== 'still here') throw new Error('the page reloaded');
  step('no reload during the whole scenario');
}

// Opens a websocket from the page; resolves with 'open' or 'refused'.
function wsProbe(page, session, vm) {
  return page.evaluate(([s, v]) => new Promise((resolve) => {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}/console?session_id=${encodeURIComponent(s)}&vm=${encodeURIComponent(v)}`);
    ws.onopen = () => { ws.close(); resolve('open'); };
    ws.onerror = () => resolve('refused');
  }), [session, vm]);
}

async function consoleIsolation(page) {
  const a = await rpc('session.login_with_password', [cfg.user, cfg.password, '1.0', 'test']);
  const net = (await rpc('network.get_by_name_label', [a, 'web-net']))[0];
  const vm = await rpc('VM.create', [a, { name_label: 'iso-vm', memory_static_max: 268435456, memory_dynamic_max: 268435456,
    memory_dynamic_min: 268435456, memory_static_min: 268435456, VCPUs_max: 1, VCPUs_at_startup: 1 }]);
  await rpc('VIF.create', [a, { device: '0', network: net, VM: vm, MAC: '', MTU: 1500 }]);
  await rpc('VM.start', [a, vm, false, false]);
  await page.goto(cfg.base + '/');	// a browser with no session of its own
  const forged = await wsProbe(page, 'OpaqueRef:00000000-0000-0000-0000-000000000000', vm);
  const none = await wsProbe(page, '', vm);
  step(`forged session: ${forged}; no session: ${none}`);
  const b = await rpc('session.login_with_password', [cfg.other_user, cfg.other_password, '1.0', 'test']);
  const own = await wsProbe(page, b, vm);
  step(`other user's own valid session: ${own}`);
  await rpc('session.logout', [a]);
  const stale = await wsProbe(page, a, vm);
  step(`first user's session after logout: ${stale}`);
  const b2 = await rpc('session.login_with_password', [cfg.other_user, cfg.other_password, '1.0', 'test']);
  await rpc('VM.hard_shutdown', [b2, vm]);
  await rpc('VM.destroy', [b2, vm]);
  if (forged !== 'refused' || none !== 'refused' || stale !== 'refused') throw new Error('a console opened without valid credentials');
  if (own !== 'open') throw new Error('a valid session could not open the console');
  consoleErrors.length = 0;	// the refusals above are logged by Chromium on purpose
}

// Presses Tab until the focused element's text (or label) matches; fails after 25.
async function tabTo(page, re) {
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press('Tab');
    const t = await page.evaluate(() => {
      const el = document.activeElement;
      return `${el.tagName} ${el.getAttribute('aria-label') || el.textContent || ''}`.trim();
    });
    if (re.test(t)) return t;
  }
  throw new Error(`Tab never reached ${re}`);
}

async function keyboard(page) {
  await page.goto(cfg.base + '/');
  await page.getByLabel('User name').waitFor();
  if (!await page.evaluate(() => document.activeElement && document.activeElement.name === 'username')) throw new Error('login does not start in the user field');
  await page.keyboard.type(cfg.user);
  await page.keyboard.press('Tab');
  await page.keyboard.type(cfg.password);
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Log out' }).waitFor();
  await page.getByTestId('live').getByText('Live').waitFor({ timeout: 15000 });
  step('logged in with the keyboard only');
  await tabTo(page, /^A Skip to content/);
  await tabTo(page, /^A VMs$/);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Virtual machines' }).waitFor();
  await tabTo(page, /^BUTTON New VM$/);
  await page.keyboard.press('Enter');
  const dlg = page.getByRole('dialog');
  await dlg.waitFor();
  const inside = await page.evaluate(() => !!document.activeElement.closest('dialog'));
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('dialog input, dialog select')]
    .filter((el) => !el.labels || !el.labels.length || !el.labels[0].textContent.trim()).map((el) => el.name));
  if (!inside) throw new Error('focus is not in the dialog');
  if (unlabelled.length) throw new Error(`inputs without labels: ${unlabelled}`);
  step('New VM dialog opened from the keyboard, focus inside, every field labelled');
  await shot(page, 'keyboard-dialog');
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'detached' });
  step('Escape closed the dialog');
  await shot(page, 'vms');
}

async function sessionExpiry(page) {
  await login(page, cfg.user, cfg.password);
  await page.getByTestId('live').getByText('Live').waitFor({ timeout: 15000 });
  const ref = await page.evaluate(() => sessionStorage.getItem('cairn.session'));
  await rpc('session.logout', [ref]);
  step('session logged out by another client');
  // The page notices by itself (its event.from fails) or at the next action.
  const back = page.getByTestId('login-error').getByText('Your session has ended');
  try {
    await page.getByRole('link', { name: 'Networks' }).click({ timeout: 3000 });
    await page.getByRole('button', { name: 'New network' }).click({ timeout: 3000 });
    await page.getByRole('dialog').getByRole('button', { name: 'OK' }).click({ timeout: 3000 });
    step('an action with the ended session');
  } catch (e) {
    if (!await back.isVisible()) throw e;
  }
  await back.waitFor({ timeout: 10000 });
  step('the console went back to the login page with a message');
  await shot(page, 'session-ended');
  await page.getByLabel('Password').fill(cfg.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  const after = await page.evaluate(() => sessionStorage.getItem('cairn.session'));
  if (after) throw new Error('logout left the session in storage');
  step('logged in again, then out');
}

async function storage(page) {
  await login(page, cfg.user, cfg.password);
  await page.getByTestId('live').getByText('Live').waitFor({ timeout: 15000 });
  await page.getByRole('link', { name: 'Storage' }).click();
  await page.getByRole('button', { name: 'New disk' }).click();
  let dlg = page.getByRole('dialog');
  await dlg.getByLabel('Name').fill('spare-disk');
  await dlg.getByLabel('Size (GiB)').fill('3');
  await dlg.getByRole('button', { name: 'Create' }).click();
  const row = page.getByRole('row', { name: /spare-disk/ });
  await row.getByText('3.0 GiB').waitFor({ timeout: 20000 });
  step('VDI created on the SR, shown with its size');
  await shot(page, 'storage-with-disk');
  await row.getByRole('button', { name: 'Destroy' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Destroy' }).click();
  await row.waitFor({ state: 'detached', timeout: 20000 });
  step('VDI destroyed');

  const s = await rpc('session.login_with_password', [cfg.user, cfg.password, '1.0', 'test']);
  const vm = await rpc('VM.create', [s, { name_label: 'disk-vm', memory_static_max: 268435456, memory_dynamic_max: 268435456,
    memory_dynamic_min: 268435456, memory_static_min: 268435456, VCPUs_max: 1, VCPUs_at_startup: 1 }]);
  await page.goto(`${cfg.base}/#/vm/${encodeURIComponent(vm)}`);
  await page.getByRole('heading', { name: /disk-vm/ }).waitFor();
  for (const name of ['first', 'second']) {
    await page.getByRole('button', { name: 'Attach disk' }).click();
    dlg = page.getByRole('dialog');
    await dlg.getByLabel('Name').fill(`${name} disk`);
    await dlg.getByLabel('Size (GiB)').fill('1');
    await dlg.getByRole('button', { name: 'Attach' }).click();
    await page.getByRole('table', { name: 'Disks' }).getByText(`${name} disk`).waitFor({ timeout: 20000 });
  }
  const devs = await page.getByRole('table', { name: 'Disks' }).locator('tbody th').allTextContents();
  if (devs.join(',') !== '0,1') throw new Error(`disk devices ${devs}`);
  step('two new disks attached as devices 0 and 1');
  for (let i = 0; i < 2; i++) {
    await page.getByRole('button', { name: 'Add network interface' }).click();
    await page.getByRole('dialog').getByLabel('Network').selectOption({ label: 'web-net' });
    await page.getByRole('dialog').getByRole('button', { name: 'Add' }).click();
    await page.getByRole('table', { name: 'Network interfaces' }).locator('tbody tr').nth(i).waitFor({ timeout: 20000 });
  }
  step('two NICs attached');
  await shot(page, 'vm-disks-nics');
  const vdis = (await rpc('VM.get_VBDs', [s, vm])).length;
  await page.getByRole('button', { name: 'Destroy', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Destroy' }).click();
  await page.getByRole('heading', { name: 'Virtual machines' }).waitFor({ timeout: 20000 });
  const left = (await rpc('VDI.get_all_records', [s]));
  const orphans = Object.values(left).filter((v) => /^(first|second) disk$/.test(v.name_label));
  if (vdis !== 2 || orphans.length) throw new Error(`VBDs ${vdis}, VDIs left ${orphans.length}`);
  step('VM destroyed with the disks only it used');
}

async function liveConsole(page) {
  const s = await rpc('session.login_with_password', [cfg.user, cfg.password, '1.0', 'test']);
  const vm = await rpc('VM.create', [s, { name_label: 'console-vm', memory_static_max: 268435456, memory_dynamic_max: 268435456,
    memory_dynamic_min: 268435456, memory_static_min: 268435456, VCPUs_max: 1, VCPUs_at_startup: 1 }]);
  await rpc('VM.start', [s, vm, false, false]);
  await login(page, cfg.user, cfg.password);
  await page.getByRole('button', { name: 'Log out' }).waitFor();
  await page.goto(`${cfg.base}/#/vm/${encodeURIComponent(vm)}`);
  await page.getByRole('button', { name: 'Open console' }).click();
  const state = page.getByTestId('console-state');
  await state.getByText('Connected').waitFor({ timeout: 10000 });
  await screenShows(page, 'Welcome to console-vm');
  step('live console connected and shows the VM output');
  await page.keyboard.type('root\r');
  await page.waitForTimeout(300);
  if (!(await state.textContent()).startsWith('Connected')) throw new Error('typing closed the console');
  step('keys sent, console still open');
  await shot(page, 'live-console');
  await rpc('VM.hard_shutdown', [s, vm]);
  await state.getByText('Console closed: console ended').waitFor({ timeout: 10000 });
  step(`VM off: ${await state.textContent()}`);
  await rpc('VM.destroy', [s, vm]);
}

const scenarios = {
  'live-console': liveConsole,
  storage,
  keyboard,
  'session-expiry': sessionExpiry, 'wrong-password': wrongPassword, lifecycle, 'console-isolation': consoleIsolation };

const profile = mkdtempSync(join(tmpdir(), 'webconsole-chromium-'));
let browser;
let result = { ok: false, steps, error: null };
try {
  // A fresh --user-data-dir: Playwright takes it as the persistent profile.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--ignore-certificate-errors'],
    viewport: { width: 1366, height: 768 }, ignoreHTTPSErrors: true,
  });
  const page = browser.pages()[0] || await browser.newPage();
  page.setDefaultTimeout(15000);
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  await scenarios[cfg.scenario](page);
  // The only error allowed: the failed websocket when the daemon has no /console.
  // Also tolerated: net::ERR_NETWORK_CHANGED, which Chromium raises on in-flight
  // requests when any interface on the machine changes (other tests create
  // bridges and namespaces); the app retries, and the scenario checked the result.
  const errors = consoleErrors.filter((t) => (cfg.live_console || !/WebSocket connection to .*\/console/.test(t)) &&
    !/net::ERR_NETWORK_CHANGED/.test(t));
  const changed = consoleErrors.filter((t) => /net::ERR_NETWORK_CHANGED/.test(t)).length;
  if (changed) step(`(${changed} requests cut by a host network change, retried)`);
  if (errors.length) throw new Error(`console errors: ${errors.join(' | ')}`);
  result.ok = true;
} catch (e) {
  result.error = String(e && e.stack || e);
  try {
    const pages = browser ? browser.pages() : [];
    if (pages[0]) await pages[0].screenshot({ path: join(cfg.artifacts, 'failure.png'), fullPage: true });
  } catch (e2) { /* best effort */ }
} finally {
  if (browser) await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
