// SPDX-License-Identifier: GPL-2.0-only
// Xen Orchestra's connector (npm `xen-api`) against xapi-c.
//
//   node xo_watch.mjs URL USER PASSWORD VM_NAME TIMEOUT_S [TRANSPORT]
//
// TRANSPORT is the connector's: auto (JSON-RPC, the default) or xml-rpc.
//
// Connects over HTTPS with a self-signed certificate (allowUnauthorized),
// lets the connector list the classes from system.listMethods and fetch every
// one of them, then watches events. Prints one JSON line per step on stdout:
//   {"step":"ready","types":[...],"counts":{type: n},"warnings":[...]}
//   {"step":"running","ref":"OpaqueRef:...","power_state":"Running"}
//   {"step":"removed"}      (after the test destroyed the VM)
// or {"step":"timeout",...} and exits non-zero. Every console.warn of the
// connector (a class it failed to load, an event loop error) is collected.
import { createClient } from 'xen-api'

const [url, user, password, vmName, timeoutS, transport = 'auto'] = process.argv.slice(2)
const warnings = []
console.warn = (...args) => warnings.push(args.map(a => String(a?.stack ?? a)).join(' '))
const out = obj => process.stdout.write(JSON.stringify(obj) + '\n')

const xapi = createClient({ url, allowUnauthorized: true, auth: { user, password }, transport })
const deadline = Date.now() + Number(timeoutS) * 1000

const fail = (step, extra) => {
  out({ step, warnings, ...extra })
  process.exit(1)
}

try {
  await xapi.connect()
} catch (error) {
  fail('connect-failed', { error: String(error?.stack ?? error) })
}
await xapi.objectsFetched

const counts = {}
for (const obj of Object.values(xapi.objects.all)) {
  counts[obj.$type] = (counts[obj.$type] ?? 0) + 1
}
out({ step: 'ready', types: xapi._types, counts, warnings, pool: xapi.pool?.$ref })

// Seen through event.from only: the VM is created after the initial fetch.
const find = () =>
  Object.values(xapi.objects.all).find(o => o.$type === 'VM' && o.name_label === vmName)
let seen = 'absent'
while (Date.now() < deadline) {
  const vm = find()
  if (vm !== undefined) {
    seen = vm.power_state
    if (vm.power_state === 'Running') {
      out({ step: 'running', ref: vm.$ref, power_state: vm.power_state, warnings })
      break
    }
  }
  await new Promise(resolve => setTimeout(resolve, 50))
}
if (seen !== 'Running') {
  fail('timeout', { seen })
}

// The test then shuts the VM down and destroys it: a "del" event must take
// it out of the cache.
while (Date.now() < deadline) {
  if (find() === undefined) {
    out({ step: 'removed', warnings })
    await xapi.disconnect()
    process.exit(0)
  }
  await new Promise(resolve => setTimeout(resolve, 50))
}
fail('timeout', { seen: find()?.power_state })
