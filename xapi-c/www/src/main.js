// SPDX-License-Identifier: GPL-2.0-only
// Cairn web console: login, the views (overview, VMs, a VM, storage,
// networks, tasks) and the actions. Views are redrawn from the store after
// every event batch; dialogs and the console live outside the redrawn area
// so typing and the terminal survive updates, and focus is put back on the
// control that had it.
import { api, login, logout, session, waitTask, XapiError } from './rpc.js';
import { describe } from './errors.js';
import { db, get, start, stop, subscribe, status } from './store.js';
import { bytes, field, h, select, table } from './ui.js';
import { ConsoleWidget } from './console.js';

const app = document.getElementById('app');
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

// ---- notices and tasks -------------------------------------------------------

const notices = h('div', { class: 'notices', 'aria-live': 'polite' });
const jobs = new Map();	// our running operations: id -> {label, progress}
let jobSeq = 0;

function notify(text, kind = 'info') {
  const n = h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('span', {}, text),
    h('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss', onclick: () => n.remove() }, '×'));
  notices.append(n);
  const infos = [...notices.children].filter((c) => !c.classList.contains('error'));
  for (const old of infos.slice(0, Math.max(0, infos.length - 3))) old.remove();	/* keep the last three */
  if (kind !== 'error') setTimeout(() => n.remove(), 6000);
}

// Runs an Async.* call as a task with progress shown; returns its result.
async function runTask(label, method, ...args) {
  const id = ++jobSeq;
  jobs.set(id, { label, progress: 0 });
  render();
  try {
    const task = await api(`Async.${method}`, ...args);
    return await waitTask(task, (t) => {
      jobs.set(id, { label, progress: Number(t.progress) || 0 });
      renderJobs();
    });
  } finally {
    jobs.delete(id);
    render();
  }
}

async function act(label, fn) {
  try {
    const r = await fn();
    notify(`${label}: done.`);
    return r;
  } catch (e) {
    notify(`${label} failed. ${describe(e)}`, 'error');
    return undefined;
  }
}

const jobsEl = h('div', { class: 'jobs', 'aria-live': 'polite', 'data-testid': 'jobs' });
function renderJobs() {
  jobsEl.replaceChildren(...[...jobs.values()].map((j) =>
    h('div', { class: 'job' }, h('span', {}, j.label),
      h('progress', { max: 1, value: j.progress, 'aria-label': `${j.label} progress` }),
      h('span', {}, `${Math.round(j.progress * 100)}%`))));
}

// ---- login ---------------------------------------------------------------------

function showLogin(message) {
  stop();
  closeConsoles();
  document.title = 'Log in — Cairn';
  const err = h('p', { class: 'error', role: 'alert', 'data-testid': 'login-error' }, message || '');
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, value: session.user || '' });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const btn = h('button', { type: 'submit' }, 'Log in');
  const form = h('form', {
    class: 'login',
    onsubmit: async (ev) => {
      ev.preventDefault();
      btn.disabled = true;
      err.textContent = '';
      try {
        await login(user.value, pass.value);
        showMain();
      } catch (e) {
        err.textContent = describe(e);
        pass.value = '';
        pass.focus();
      } finally {
        btn.disabled = false;
      }
    },
  },
  h('h1', {}, 'Cairn'),
  h('p', {}, 'Log in with a user account of this host.'),
  field('User name', user), field('Password', pass), btn, err);
  app.replaceChildren(h('main', { class: 'login-page' }, form));
  (user.value ? pass : user).focus();
}

session.onInvalid = () => showLogin('Your session has ended. Please log in again.');

// ---- layout and routing -----------------------------------------------------------

const main = h('main', { id: 'main', tabindex: '-1' });
const liveBadge = h('span', { class: 'live', 'data-testid': 'live' });
const nav = [['#/', 'Overview'], ['#/vms', 'VMs'], ['#/storage', 'Storage'], ['#/networks', 'Networks'], ['#/tasks', 'Tasks']];

function showMain() {
  document.title = 'Cairn';
  const navEl = h('nav', { 'aria-label': 'Main' }, h('ul', {}, nav.map(([href, text]) =>
    h('li', {}, h('a', { href, 'data-nav': href }, text)))));
  app.replaceChildren(
    h('a', { class: 'skip', href: '#main', onclick: (e) => { e.preventDefault(); main.focus(); } }, 'Skip to content'),
    h('header', {},
      h('span', { class: 'brand' }, 'Cairn'), liveBadge,
      h('span', { class: 'who' }, `Logged in as ${session.user}`),
      h('button', { type: 'button', onclick: async () => { await logout(); showLogin(); } }, 'Log out')),
    navEl, jobsEl, notices, main);
  start();
  render();
}

function route() {
  const m = location.hash.match(/^#\/(\w+)(?:\/(.+))?$/);
  return m ? { view: m[1], arg: m[2] && decodeURIComponent(m[2]) } : { view: 'overview' };
}

window.addEventListener('hashchange', () => {
  render();
  main.focus();
});

// Redraws after events, at most once a frame, and never between a pointer's
// press and release (a click on a button being replaced would be lost).
// Task progress alone redraws only the Tasks view (the job bar has its own).
let pending = false;
let pointerDown = false;
let deferred = false;
subscribe((changed) => {
  if (changed && route().view !== 'tasks' && [...changed].every((c) => c === 'task')) return;
  if (!pending) {
    pending = true;
    requestAnimationFrame(() => { pending = false; render(); });
  }
});
window.addEventListener('pointerdown', () => { pointerDown = true; }, true);
window.addEventListener('pointerup', () => {
  pointerDown = false;
  if (deferred) setTimeout(() => { deferred = false; render(); }, 0);
}, true);

function render() {
  if (!session.ref || !main.isConnected) return;
  if (pointerDown) { deferred = true; return; }
  const r = route();
  const focusKey = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.key : null;
  liveBadge.textContent = status.live ? 'Live' : status.error ? `Reconnecting: ${describe(status.error)}` : 'Loading…';
  liveBadge.className = status.live ? 'live on' : 'live';
  for (const a of document.querySelectorAll('nav a')) {
    const cur = a.dataset.nav === `#/${r.view === 'vm' ? 'vms' : r.view}` || (r.view === 'overview' && a.dataset.nav === '#/');
    if (cur) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const views = { overview: viewOverview, vms: viewVMs, vm: viewVM, storage: viewStorage, networks: viewNetworks, tasks: viewTasks };
  const fn = views[r.view] || viewOverview;
  main.replaceChildren(...[fn(r.arg)].flat(Infinity));
  placeConsole(r.view === 'vm' ? r.arg : null);
  renderJobs();
  if (focusKey) {
    const el = main.querySelector(`[data-key="${CSS.escape(focusKey)}"]`);
    if (el && !el.disabled) el.focus();
  }
}

// ---- overview: pool and hosts ------------------------------------------------------

function viewOverview() {
  const pool = [...db.pool.values()][0];
  const master = pool && get('host', pool.master);
  const hosts = [...db.host.entries()];
  return [
    h('h1', {}, 'Overview'),
    h('section', { 'aria-labelledby': 'pool-h' }, h('h2', { id: 'pool-h' }, 'Pool'),
      pool ? h('dl', {},
        h('dt', {}, 'Name'), h('dd', {}, pool.name_label || '(unnamed pool)'),
        h('dt', {}, 'Master'), h('dd', {}, master ? master.name_label : '—'),
        h('dt', {}, 'VMs'), h('dd', {}, String(userVMs().length)),
        h('dt', {}, 'Storage repositories'), h('dd', {}, String(db.SR.size)),
        h('dt', {}, 'Networks'), h('dd', {}, String(db.network.size)))
        : h('p', {}, 'Loading…')),
    h('section', { 'aria-labelledby': 'hosts-h' }, h('h2', { id: 'hosts-h' }, 'Hosts'),
      table('Hosts', ['Host', 'Address', 'CPUs', 'CPU use', 'Memory', 'Software', 'State'], hosts.map(([ref, host]) => {
        const m = get('host_metrics', host.metrics) || {};
        const cpus = (host.host_CPUs || []).map((c) => get('host_cpu', c)).filter(Boolean);
        const use = cpus.length ? cpus.reduce((a, c) => a + (Number(c.utilisation) || 0), 0) / cpus.length : 0;
        const sv = host.software_version || {};
        const total = Number(m.memory_total) || 0;
        const free = Number(m.memory_free) || 0;
        return [host.name_label,
          host.address,
          `${cpus.length || (host.cpu_info && host.cpu_info.cpu_count) || '?'} × ${(cpus[0] && cpus[0].modelname) || (host.cpu_info && host.cpu_info.vendor) || ''}`,
          h('meter', { min: 0, max: 1, value: use, title: `${Math.round(use * 100)}%` }, `${Math.round(use * 100)}%`),
          total ? [h('meter', { min: 0, max: total, value: total - free }), ` ${bytes(total - free)} used of ${bytes(total)}`] : '—',
          `${sv.product_brand || ''} ${sv.product_version || ''} (build ${sv.build_number || '?'})`,
          host.enabled ? 'Enabled' : 'Disabled'];
      }), 'No hosts.')),
  ];
}

// ---- VMs -------------------------------------------------------------------------

function userVMs() {
  return [...db.VM.entries()].filter(([, v]) => !v.is_a_template && !v.is_control_domain && !v.is_a_snapshot)
    .sort((a, b) => String(a[1].name_label).localeCompare(String(b[1].name_label)));
}

function powerBadge(state) {
  return h('span', { class: `power ${String(state).toLowerCase()}`, 'data-testid': 'power-state' }, state);
}

function disksOf(vm) {
  return (vm.VBDs || []).map((r) => [r, get('VBD', r)]).filter(([, b]) => b && b.type !== 'CD');
}

function viewVMs() {
  const vms = userVMs();
  return [
    h('h1', {}, 'Virtual machines'),
    h('div', { class: 'actions' }, h('button', { type: 'button', 'data-key': 'new-vm', disabled: !status.live,
      title: status.live ? null : 'Waiting for the host’s objects to load', onclick: () => createVMDialog() }, 'New VM')),
    table('Virtual machines', ['Name', 'Power state', 'vCPUs', 'Memory', 'Disks', 'NICs'], vms.map(([ref, vm]) => [
      h('a', { href: `#/vm/${encodeURIComponent(ref)}`, 'data-key': `vm-${ref}` }, vm.name_label || '(no name)'),
      powerBadge(vm.power_state), String(vm.VCPUs_at_startup), bytes(vm.memory_static_max),
      String(disksOf(vm).length), String((vm.VIFs || []).length)]), 'No VMs yet. Create one with “New VM”.'),
  ];
}

const ACTIONS = [
  ['start', 'Start', (r) => runTask('Starting VM', 'VM.start', r, false, false)],
  ['clean_shutdown', 'Shut down', (r) => runTask('Shutting down VM', 'VM.clean_shutdown', r)],
  ['hard_shutdown', 'Force shut down', (r) => runTask('Forcing VM off', 'VM.hard_shutdown', r)],
  ['clean_reboot', 'Reboot', (r) => runTask('Rebooting VM', 'VM.clean_reboot', r)],
  ['hard_reboot', 'Force reboot', (r) => runTask('Resetting VM', 'VM.hard_reboot', r)],
  ['pause', 'Pause', (r) => runTask('Pausing VM', 'VM.pause', r)],
  ['unpause', 'Unpause', (r) => runTask('Unpausing VM', 'VM.unpause', r)],
  ['suspend', 'Suspend', (r) => runTask('Suspending VM', 'VM.suspend', r)],
  ['resume', 'Resume', (r) => runTask('Resuming VM', 'VM.resume', r, false, false)],
];

async function askName(title, value) {
  const input = h('input', { name: 'name', required: true, value });
  const r = await dialog(title, [field('Name', input)], 'OK');
  return r ? input.value.trim() : null;
}

async function destroyVM(ref, vm) {
  const ok = await dialog(`Destroy ${vm.name_label}?`, [h('p', {}, 'The VM and the disks only it uses are deleted. This cannot be undone.')], 'Destroy', true);
  if (!ok) return;
  await act(`Destroying ${vm.name_label}`, async () => {
    for (const [vbdRef, vbd] of disksOf(vm)) {
      const vdi = get('VDI', vbd.VDI);
      const shared = vdi && (vdi.VBDs || []).length > 1;
      await api('VBD.destroy', vbdRef);
      if (vdi && !shared) await api('VDI.destroy', vbd.VDI);
    }
    for (const vif of vm.VIFs || []) await api('VIF.destroy', vif);
    await runTask('Destroying VM', 'VM.destroy', ref);
  });
  location.hash = '#/vms';
}

function vmActions(ref, vm) {
  const allowed = new Set(vm.allowed_operations || []);
  const busy = Object.keys(vm.current_operations || {}).length > 0;
  const btn = (op, label, fn) => h('button', {
    type: 'button', 'data-key': `op-${op}`, 'data-op': op, disabled: busy || !allowed.has(op),
    onclick: () => act(`${label} ${vm.name_label}`, () => fn(ref)),
  }, label);
  return h('div', { class: 'actions', role: 'group', 'aria-label': 'VM actions' },
    ACTIONS.map(([op, label, fn]) => btn(op, label, fn)),
    btn('snapshot', 'Snapshot', async (r) => {
      const name = await askName('Snapshot name', `${vm.name_label} snapshot`);
      if (name) await runTask('Taking snapshot', 'VM.snapshot', r, name);
    }),
    btn('clone', 'Clone', async (r) => {
      const name = await askName('Name of the clone', `${vm.name_label} clone`);
      if (name) await runTask('Cloning VM', 'VM.clone', r, name);
    }),
    h('button', { type: 'button', class: 'danger', 'data-key': 'op-destroy', disabled: busy || vm.power_state !== 'Halted',
      onclick: () => destroyVM(ref, vm) }, 'Destroy'));
}

function viewVM(ref) {
  const vm = get('VM', ref);
  if (!vm) return [h('h1', {}, 'VM not found'), h('p', {}, 'It may have been destroyed. '), h('a', { href: '#/vms' }, 'Back to the VMs')];
  const metrics = get('VM_metrics', vm.metrics) || {};
  const disks = disksOf(vm);
  const snaps = (vm.snapshots || []).map((s) => [s, get('VM', s)]).filter(([, s]) => s);
  return [
    h('p', {}, h('a', { href: '#/vms' }, '← VMs')),
    h('h1', {}, vm.name_label || '(no name)', ' ', powerBadge(vm.power_state)),
    vmActions(ref, vm),
    h('section', { 'aria-labelledby': 'gen-h' }, h('h2', { id: 'gen-h' }, 'General'),
      h('dl', {},
        h('dt', {}, 'Description'), h('dd', {}, vm.name_description || '—'),
        h('dt', {}, 'vCPUs'), h('dd', {}, `${vm.VCPUs_at_startup} (max ${vm.VCPUs_max})`),
        h('dt', {}, 'Memory'), h('dd', {}, `${bytes(vm.memory_static_max)}${metrics.memory_actual ? `, ${bytes(metrics.memory_actual)} in use` : ''}`),
        h('dt', {}, 'Running on'), h('dd', {}, (get('host', vm.resident_on) || {}).name_label || '—'),
        h('dt', {}, 'Domain'), h('dd', {}, vm.domid >= 0 ? String(vm.domid) : '—'),
        h('dt', {}, 'Kernel'), h('dd', {}, vm.PV_kernel || '—'),
        h('dt', {}, 'Kernel arguments'), h('dd', {}, vm.PV_args || '—'),
        h('dt', {}, 'UUID'), h('dd', { class: 'mono' }, vm.uuid))),
    h('section', { 'aria-labelledby': 'disk-h' }, h('h2', { id: 'disk-h' }, 'Disks'),
      table('Disks', ['Device', 'Disk', 'Size', 'Storage', 'Mode', 'Attached'], disks.map(([, b]) => {
        const vdi = get('VDI', b.VDI) || {};
        return [b.userdevice, vdi.name_label || '—', bytes(vdi.virtual_size), (get('SR', vdi.SR) || {}).name_label || '—', b.mode, b.currently_attached ? 'yes' : 'no'];
      }), 'No disks.'),
      h('div', { class: 'actions' }, h('button', { type: 'button', 'data-key': 'attach-disk', onclick: () => attachDiskDialog(ref, vm) }, 'Attach disk'))),
    h('section', { 'aria-labelledby': 'nic-h' }, h('h2', { id: 'nic-h' }, 'Network interfaces'),
      table('Network interfaces', ['Device', 'MAC', 'Network', 'MTU', 'Attached'], (vm.VIFs || []).map((r) => get('VIF', r)).filter(Boolean)
        .sort((a, b) => Number(a.device) - Number(b.device)).map((v) =>
          [v.device, h('span', { class: 'mono' }, v.MAC || '—'), (get('network', v.network) || {}).name_label || '—', String(v.MTU), v.currently_attached ? 'yes' : 'no']), 'No network interfaces.'),
      h('div', { class: 'actions' }, h('button', { type: 'button', 'data-key': 'add-nic', onclick: () => addNicDialog(ref, vm) }, 'Add network interface'))),
    h('section', { 'aria-labelledby': 'con-h' }, h('h2', { id: 'con-h' }, 'Console'),
      vm.power_state === 'Halted' && !consoles.has(ref) ? h('p', {}, 'The console is available while the VM runs.') : h('div', { id: 'console-slot' })),
    h('section', { 'aria-labelledby': 'snap-h' }, h('h2', { id: 'snap-h' }, 'Snapshots'),
      table('Snapshots', ['Name', 'Taken'], snaps.map(([, s]) => [s.name_label, String(s.snapshot_time || '')]), 'No snapshots.')),
  ];
}

// One console widget per VM, kept across redraws.
const consoles = new Map();
function placeConsole(ref) {
  for (const [r, w] of consoles) {
    if (r !== ref) { w.dispose(); consoles.delete(r); }
  }
  const slot = ref && main.querySelector('#console-slot');
  if (!slot) {
    if (ref && consoles.has(ref)) { consoles.get(ref).dispose(); consoles.delete(ref); }
    return;
  }
  if (!consoles.has(ref)) consoles.set(ref, new ConsoleWidget(ref));
  slot.replaceWith(consoles.get(ref).el);
}
function closeConsoles() {
  for (const w of consoles.values()) w.dispose();
  consoles.clear();
}

// ---- dialogs --------------------------------------------------------------------------

// A modal form; resolves true when submitted, false when cancelled.
function dialog(title, fields, submitLabel, danger = false) {
  return new Promise((resolve) => {
    const err = h('p', { class: 'error', role: 'alert' });
    const d = h('dialog', { 'aria-labelledby': 'dlg-title' });
    const form = h('form', { method: 'dialog' },
      h('h2', { id: 'dlg-title' }, title), fields, err,
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: danger ? 'danger' : 'primary', value: 'ok' }, submitLabel),
        h('button', { type: 'button', value: 'cancel', onclick: () => d.close('cancel') }, 'Cancel')));
    d.append(form);
    d.addEventListener('close', () => { d.remove(); resolve(d.returnValue === 'ok'); });
    document.body.append(d);
    d.showModal();
  });
}

const srOptions = () => [...db.SR.entries()].filter(([, s]) => s.content_type !== 'iso')
  .map(([r, s]) => [r, `${s.name_label} (${bytes(Number(s.physical_size) - Number(s.physical_utilisation))} free)`]);
const netOptions = () => [...db.network.entries()].map(([r, n]) => [r, n.name_label || n.bridge]);

async function createDisk(vmRef, name, sizeBytes, srRef, userdevice) {
  const vdi = await runTask('Creating disk', 'VDI.create', {
    name_label: name, name_description: '', SR: srRef, virtual_size: sizeBytes, type: 'user',
    sharable: false, read_only: false, other_config: {}, xenstore_data: {}, sm_config: {}, tags: [],
  });
  await attachVDI(vmRef, vdi, userdevice);
  return vdi;
}

function nextDevice(list) {
  const used = new Set(list);
  for (let i = 0; ; i++) if (!used.has(String(i))) return String(i);
}

async function attachVDI(vmRef, vdi, userdevice) {
  return api('VBD.create', {
    VM: vmRef, VDI: vdi, userdevice, bootable: userdevice === '0', mode: 'RW', type: 'Disk',
    unpluggable: true, empty: false, other_config: {}, qos_algorithm_type: '', qos_algorithm_params: {},
  });
}

async function addVIF(vmRef, network, device) {
  return api('VIF.create', { device, network, VM: vmRef, MAC: '', MTU: 1500, other_config: {},
    qos_algorithm_type: '', qos_algorithm_params: {} });
}

async function createVMDialog() {
  const srs = srOptions();
  const nets = netOptions();
  const f = {
    name: h('input', { name: 'name', required: true, value: 'New VM' }),
    desc: h('input', { name: 'description' }),
    mem: h('input', { name: 'memory', type: 'number', min: 16, step: 16, value: 512, required: true }),
    cpus: h('input', { name: 'vcpus', type: 'number', min: 1, max: 64, value: 1, required: true }),
    disk: h('input', { name: 'disk', type: 'number', min: 0, step: 1, value: srs.length ? 8 : 0 }),
    sr: select('sr', [['', srs.length ? '— choose —' : 'No storage repository'], ...srs], srs.length ? srs[0][0] : ''),
    net: select('network', [['', 'No network interface'], ...nets], nets.length ? nets[0][0] : ''),
    kernel: h('input', { name: 'kernel', value: '/boot/vmlinuz', class: 'mono' }),
    initrd: h('input', { name: 'initrd', value: '', class: 'mono' }),
    args: h('input', { name: 'args', value: 'console=hvc0', class: 'mono' }),
    boot: h('input', { name: 'start', type: 'checkbox' }),
  };
  const ok = await dialog('New VM', [
    h('div', { class: 'row' }, field('Name', f.name), field('Description', f.desc)),
    h('div', { class: 'row' }, field('Memory (MiB)', f.mem), field('vCPUs', f.cpus), field('Network', f.net)),
    h('fieldset', {}, h('legend', {}, 'Disk'),
      h('div', { class: 'row' }, field('Size (GiB, 0 for none)', f.disk), field('Storage repository', f.sr))),
    h('fieldset', {}, h('legend', {}, 'Boot'),
      h('div', { class: 'row' }, field('Kernel', f.kernel, 'Path on the host; empty for firmware boot'),
        field('Initial ramdisk', f.initrd)), field('Kernel arguments', f.args)),
    h('label', { class: 'check' }, f.boot, ' Start the VM once it is created'),
  ], 'Create VM');
  if (!ok) return;
  const name = f.name.value.trim() || 'New VM';
  const mem = Math.max(16, Number(f.mem.value) || 512) * MiB;
  const cpus = Math.max(1, Number(f.cpus.value) || 1);
  const diskGiB = Number(f.disk.value) || 0;
  const kernel = f.kernel.value.trim();
  const vmRef = await act(`Creating ${name}`, async () => {
    const ref = await runTask(`Creating VM ${name}`, 'VM.create', {
      name_label: name, name_description: f.desc.value, user_version: 1, is_a_template: false,
      memory_static_max: mem, memory_dynamic_max: mem, memory_dynamic_min: mem, memory_static_min: mem,
      VCPUs_max: cpus, VCPUs_at_startup: cpus, VCPUs_params: {},
      actions_after_shutdown: 'destroy', actions_after_reboot: 'restart', actions_after_crash: 'restart',
      PV_kernel: kernel, PV_ramdisk: f.initrd.value.trim(), PV_args: f.args.value, PV_bootloader: '',
      PV_bootloader_args: '', PV_legacy_args: '',
      HVM_boot_policy: kernel ? '' : 'BIOS order', HVM_boot_params: kernel ? {} : { order: 'cd' },
      platform: {}, PCI_bus: '', other_config: {}, recommendations: '', affinity: 'OpaqueRef:NULL',
    });
    if (diskGiB > 0) {
      if (!f.sr.value) throw new XapiError('VALUE_NOT_SUPPORTED', ['SR', '', 'choose a storage repository for the disk']);
      await createDisk(ref, `${name} disk 0`, Math.round(diskGiB * GiB), f.sr.value, '0');
    }
    if (f.net.value) await addVIF(ref, f.net.value, '0');
    return ref;
  });
  if (!vmRef) return;
  location.hash = `#/vm/${encodeURIComponent(vmRef)}`;
  if (f.boot.checked) await act(`Starting ${name}`, () => runTask('Starting VM', 'VM.start', vmRef, false, false));
}

async function attachDiskDialog(vmRef, vm) {
  const srs = srOptions();
  const free = [...db.VDI.entries()].filter(([, v]) => !(v.VBDs || []).length && !v.is_a_snapshot)
    .map(([r, v]) => [r, `${v.name_label} (${bytes(v.virtual_size)})`]);
  const f = {
    existing: select('vdi', [['', 'A new disk'], ...free], ''),
    name: h('input', { name: 'name', value: `${vm.name_label} disk` }),
    size: h('input', { name: 'size', type: 'number', min: 1, value: 8 }),
    sr: select('sr', srs, srs.length ? srs[0][0] : ''),
  };
  const ok = await dialog(`Attach a disk to ${vm.name_label}`, [
    field('Disk', f.existing),
    h('fieldset', {}, h('legend', {}, 'New disk'), field('Name', f.name), field('Size (GiB)', f.size), field('Storage repository', f.sr)),
  ], 'Attach');
  if (!ok) return;
  const dev = nextDevice(disksOf(vm).map(([, b]) => b.userdevice));
  await act('Attaching disk', async () => {
    if (f.existing.value) return attachVDI(vmRef, f.existing.value, dev);
    if (!f.sr.value) throw new XapiError('VALUE_NOT_SUPPORTED', ['SR', '', 'no storage repository']);
    return createDisk(vmRef, f.name.value.trim() || 'disk', Math.round((Number(f.size.value) || 1) * GiB), f.sr.value, dev);
  });
}

async function addNicDialog(vmRef, vm) {
  const nets = netOptions();
  const net = select('network', nets, nets.length ? nets[0][0] : '');
  const ok = await dialog(`Add a network interface to ${vm.name_label}`, [field('Network', net)], 'Add');
  if (!ok || !net.value) return;
  const dev = nextDevice((vm.VIFs || []).map((r) => (get('VIF', r) || {}).device));
  await act('Adding network interface', () => addVIF(vmRef, net.value, dev));
}

// ---- storage, networks, tasks ----------------------------------------------------------

function viewStorage() {
  const srs = [...db.SR.entries()];
  return [
    h('h1', {}, 'Storage'),
    h('div', { class: 'actions' }, h('button', { type: 'button', 'data-key': 'new-vdi', disabled: !srs.length, onclick: () => newVDIDialog() }, 'New disk')),
    srs.length ? srs.map(([ref, sr]) => {
      const size = Number(sr.physical_size) || 0;
      const used = Number(sr.physical_utilisation) || 0;
      const vdis = (sr.VDIs || []).map((r) => [r, get('VDI', r)]).filter(([, v]) => v);
      return h('section', { class: 'sr', 'aria-label': `Storage repository ${sr.name_label}` },
        h('h2', {}, sr.name_label, h('small', {}, ` ${sr.type}${sr.shared ? ', shared' : ''}`)),
        h('p', {}, h('meter', { min: 0, max: size || 1, value: used }), ` ${bytes(used)} used of ${bytes(size)} (${bytes(sr.virtual_allocation)} allocated)`),
        table(`Disks on ${sr.name_label}`, ['Disk', 'Size', 'Used', 'VMs', ''], vdis.map(([r, v]) => [
          v.name_label || '(no name)', bytes(v.virtual_size), bytes(v.physical_utilisation),
          (v.VBDs || []).map((b) => get('VM', (get('VBD', b) || {}).VM)).filter(Boolean).map((x) => x.name_label).join(', ') || '—',
          h('button', { type: 'button', class: 'danger', 'data-key': `del-${r}`, disabled: (v.VBDs || []).length > 0,
            'aria-label': `Destroy disk ${v.name_label}`,
            onclick: async () => {
              if (await dialog(`Destroy disk ${v.name_label}?`, [h('p', {}, 'Its data is lost.')], 'Destroy', true)) {
                await act(`Destroying disk ${v.name_label}`, () => runTask('Destroying disk', 'VDI.destroy', r));
              }
            } }, 'Destroy')]), 'No disks.'));
    }) : h('p', { class: 'empty' }, 'No storage repositories on this host.'),
  ];
}

async function newVDIDialog() {
  const srs = srOptions();
  const f = {
    name: h('input', { name: 'name', required: true, value: 'New disk' }),
    size: h('input', { name: 'size', type: 'number', min: 1, value: 8, required: true }),
    sr: select('sr', srs, srs.length ? srs[0][0] : ''),
  };
  if (!await dialog('New disk', [field('Name', f.name), field('Size (GiB)', f.size), field('Storage repository', f.sr)], 'Create')) return;
  await act(`Creating disk ${f.name.value}`, () => runTask('Creating disk', 'VDI.create', {
    name_label: f.name.value, name_description: '', SR: f.sr.value, virtual_size: Math.round(Number(f.size.value) * GiB),
    type: 'user', sharable: false, read_only: false, other_config: {}, xenstore_data: {}, sm_config: {}, tags: [],
  }));
}

function viewNetworks() {
  const nets = [...db.network.entries()];
  return [
    h('h1', {}, 'Networks'),
    h('div', { class: 'actions' }, h('button', { type: 'button', 'data-key': 'new-net', onclick: async () => {
      const name = await askName('New network', 'New network');
      if (name) await act(`Creating network ${name}`, () => api('network.create', { name_label: name, name_description: '', MTU: 1500, other_config: {}, tags: [] }));
    } }, 'New network')),
    table('Networks', ['Network', 'Bridge', 'MTU', 'VM interfaces', 'Physical interfaces'], nets.map(([, n]) => [
      n.name_label || '(no name)', n.bridge || '—', String(n.MTU), String((n.VIFs || []).length), String((n.PIFs || []).length)]), 'No networks.'),
  ];
}

function viewTasks() {
  const tasks = [...db.task.values()].sort((a, b) => String(b.created).localeCompare(String(a.created)));
  return [
    h('h1', {}, 'Tasks'),
    table('Tasks', ['Task', 'Status', 'Progress', 'Created', 'Error'], tasks.map((t) => [
      t.name_label, t.status, h('progress', { max: 1, value: Number(t.progress) || 0 }), String(t.created || ''),
      (t.error_info || []).length ? describe(new XapiError(t.error_info[0], t.error_info.slice(1))) : '']), 'No tasks running.'),
  ];
}

// ---- start -----------------------------------------------------------------------

async function boot() {
  if (!session.ref) { showLogin(); return; }
  try {
    await api('pool.get_all');
    showMain();
  } catch (e) {
    if (session.ref) showLogin(describe(e));
  }
}

boot();
