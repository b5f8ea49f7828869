// SPDX-License-Identifier: GPL-2.0-only
// XenAPI error codes in words. Parameters are those the error carries.

const words = {
  SESSION_AUTHENTICATION_FAILED: () => 'Wrong user name or password.',
  SESSION_INVALID: () => 'Your session has ended. Please log in again.',
  HOST_IS_SLAVE: (p) => `This host is not the pool master; connect to ${p[0]}.`,
  VM_BAD_POWER_STATE: (p) => `The VM must be ${p[1] || 'in another state'} for this, but it is ${p[2] || 'not'}.`,
  OPERATION_NOT_ALLOWED: (p) => `This operation is not allowed now${p[0] ? ': ' + p[0] : ''}.`,
  OTHER_OPERATION_IN_PROGRESS: (p) => `Another operation (${p[2] || p[1] || 'unknown'}) is in progress on this ${p[0] || 'object'}; try again when it ends.`,
  HANDLE_INVALID: (p) => `The ${p[0] || 'object'} no longer exists.`,
  UUID_INVALID: (p) => `No ${p[0] || 'object'} has that UUID.`,
  VDI_IN_USE: () => 'The disk is in use by a running VM.',
  VDI_IS_ATTACHED: () => 'The disk is attached to a VM.',
  SR_FULL: (p) => `The storage repository is full (${p[0] || '?'} bytes requested, ${p[1] || '?'} available).`,
  SR_HAS_NO_PBDS: () => 'The storage repository is not connected to any host.',
  HOST_NOT_ENOUGH_FREE_MEMORY: () => 'The host does not have enough free memory to start this VM.',
  MEMORY_CONSTRAINT_VIOLATION: (p) => `The memory settings are not consistent: ${p[0] || ''}.`,
  VALUE_NOT_SUPPORTED: (p) => `The value "${p[1] || ''}" is not supported for ${p[0] || 'this field'}${p[2] ? ': ' + p[2] : ''}.`,
  INVALID_VALUE: (p) => `The value "${p[1] || ''}" is not valid for ${p[0] || 'this field'}.`,
  FIELD_TYPE_ERROR: (p) => `The field ${p[0] || ''} has the wrong type.`,
  MESSAGE_PARAMETER_COUNT_MISMATCH: (p) => `The server expected ${p[1]} parameters for ${p[0]} but got ${p[2]}.`,
  MESSAGE_METHOD_UNKNOWN: (p) => `The server does not support ${p[0] || 'this operation'}.`,
  PERMISSION_DENIED: (p) => `Permission denied${p[0] ? ': ' + p[0] : ''}.`,
  RBAC_PERMISSION_DENIED: (p) => `You are not allowed to do this${p[0] ? ' (' + p[0] + ')' : ''}.`,
  TASK_CANCELLED: () => 'The operation was cancelled.',
  DEVICE_ALREADY_EXISTS: (p) => `A device ${p[0] || ''} already exists on this VM.`,
  VM_IS_TEMPLATE: () => 'This is a template (or a snapshot); it cannot be started.',
  VM_HAS_VBDS: () => 'The VM still has disks attached.',
  NETWORK_CONTAINS_VIF: () => 'The network still has VM network interfaces on it.',
  EVENTS_LOST: () => 'Updates were lost; the view was reloaded.',
  INTERNAL_ERROR: (p) => `Internal server error${p[0] ? ': ' + p[0] : ''}.`,
  NETWORK_ERROR: (p) => `Cannot reach the server${p[0] ? ' (' + p[0] + ')' : ''}.`,
  HTTP_ERROR: (p) => `The server answered HTTP ${p[0]}.`,
  BAD_REPLY: () => 'The server sent a reply the console cannot read.',
};

// The error as a sentence, followed by its code for searching.
export function describe(err) {
  if (!err || !err.code) return String(err && err.message || err);
  const fn = words[err.code];
  const text = fn ? fn(err.params || []) : `The server refused: ${err.code.toLowerCase().replace(/_/g, ' ')}${err.params && err.params.length ? ' (' + err.params.join(', ') + ')' : ''}.`;
  return `${text} [${err.code}]`;
}
