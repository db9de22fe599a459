/**
 * Stable content hashes. Job steps, cached maps and model cards are keyed by the SHA-256 of a
 * canonical JSON form (object keys sorted, typed arrays hashed by their bytes), so the same inputs
 * give the same key on any machine and in any key order.
 */
import { createHash, type Hash } from 'node:crypto';

/** SHA-256 hex digest of any JSON-like value, typed arrays included; key order does not matter. */
export function stableHash(value: unknown): string {
  const h = createHash('sha256');
  feed(h, value);
  return h.digest('hex');
}

/** SHA-256 hex digest of raw bytes. */
export function hashBytes(bytes: Uint8Array | ArrayBufferView): string {
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return createHash('sha256').update(view).digest('hex');
}

/** Canonical JSON: sorted keys, no whitespace; `undefined` members are dropped as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

function feed(h: Hash, value: unknown): void {
  if (ArrayBuffer.isView(value)) {
    h.update(`<${value.constructor.name}:${value.byteLength}>`);
    h.update(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    return;
  }
  if (Array.isArray(value)) {
    h.update('[');
    for (const item of value) {
      feed(h, item);
      h.update(',');
    }
    h.update(']');
    return;
  }
  if (value && typeof value === 'object') {
    h.update('{');
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined) continue;
      h.update(JSON.stringify(key));
      h.update(':');
      feed(h, v);
      h.update(',');
    }
    h.update('}');
    return;
  }
  h.update(value === undefined ? 'undefined' : JSON.stringify(value));
}
