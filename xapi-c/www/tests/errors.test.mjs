// SPDX-License-Identifier: GPL-2.0-only
// Unit tests of XenAPI errors in words (node --test; run by tests/webconsole).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describe } from '../src/errors.js';

const err = (code, ...params) => ({ code, params });

test('known codes read as sentences with their code', () => {
  assert.equal(describe(err('SESSION_AUTHENTICATION_FAILED', 'u', 'x')),
    'Wrong user name or password. [SESSION_AUTHENTICATION_FAILED]');
  assert.equal(describe(err('VM_BAD_POWER_STATE', 'OpaqueRef:1', 'halted', 'running')),
    'The VM must be halted for this, but it is running. [VM_BAD_POWER_STATE]');
  assert.match(describe(err('HANDLE_INVALID', 'VM', 'OpaqueRef:9')), /^The VM no longer exists\./);
  assert.match(describe(err('SR_FULL', '10', '5')), /10 bytes requested, 5 available/);
});

test('unknown codes still read as words, with parameters', () => {
  assert.equal(describe(err('SOME_NEW_FAILURE', 'a', 'b')),
    'The server refused: some new failure (a, b). [SOME_NEW_FAILURE]');
});

test('missing parameters do not print undefined', () => {
  for (const code of ['VM_BAD_POWER_STATE', 'OTHER_OPERATION_IN_PROGRESS', 'VALUE_NOT_SUPPORTED', 'SR_FULL']) {
    assert.doesNotMatch(describe(err(code)), /undefined/);
  }
});

test('plain errors pass through', () => {
  assert.equal(describe(new Error('boom')), 'boom');
});
