// SPDX-License-Identifier: GPL-2.0-only
// Builds the web console into OUT (argument): index.html and
// assets/<hash>/ holding the app's ES modules, its CSS and xterm.js from
// node_modules. The hash covers every file, so assets are cached forever
// and index.html (revalidated) names the current set. Plain Node (>= 18),
// no bundler: browsers load the modules as they are.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] || join(here, 'dist'));
const xterm = join(here, 'node_modules', '@xterm', 'xterm');

const files = new Map();
for (const name of readdirSync(join(here, 'src')).sort()) {
  if (/\.(js|css)$/.test(name)) files.set(name, readFileSync(join(here, 'src', name), 'utf8'));
}
// xterm's module without its source-map comment (the map is not shipped).
files.set('xterm.mjs', readFileSync(join(xterm, 'lib', 'xterm.mjs'), 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'));
files.set('xterm.css', readFileSync(join(xterm, 'css', 'xterm.css'), 'utf8'));

const hash = createHash('sha256');
for (const [name, text] of files) hash.update(name).update('\0').update(text).update('\0');
const dir = `assets/${hash.digest('hex').slice(0, 12)}`;

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, dir), { recursive: true });
for (const [name, text] of files) writeFileSync(join(out, dir, name), text);
const index = readFileSync(join(here, 'index.html'), 'utf8').replaceAll('./src/', `./${dir}/`);
if (index.includes('./src/')) throw new Error('index.html still names ./src/');
writeFileSync(join(out, 'index.html'), index);
console.log(`web console: ${files.size} files in ${join(out, dir)}`);
