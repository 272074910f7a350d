/**
 * The hash-chained history: every command appends ONE entry per root instance with the ordered records it
 * produced; hash = sha256(previous entry's hash + canonical JSON of the entry). Recomputing the chain
 * detects any change, deletion or reordering of entries (a truncated end is caught against the chain head
 * kept in the root row). The chain of a root starts at GENESIS_HASH. Readers see one item per record.
 */
import { createHash } from 'node:crypto';
import type { RuntimeRecord } from '../runtime/types.js';
import type { HistoryRecord, HistoryRow, NewHistory } from './database.js';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level, so the hash does not depend on jsonb's key order. */
export function canonicalJson(value: unknown): string {
  // plain loops and one string: this runs over every record of every command (history hash)
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const item: unknown = value[i];
      out += item === undefined ? 'null' : canonicalJson(item);
    }
    return out + ']';
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  // most objects are small and many already in order: a check is cheaper than a sort
  for (let i = 1; i < keys.length; i++)
    if (keys[i - 1] > keys[i]) {
      keys.sort();
      break;
    }
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = object[key];
    if (item === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += JSON.stringify(key) + ':' + canonicalJson(item);
  }
  return out + '}';
}

/**
 * canonicalJson of a history record, with its six keys written in their sorted order directly (the same
 * text canonicalJson gives for the record object, without building and sorting it).
 */
function canonicalRecord(record: RuntimeRecord): string {
  let out = '{"elementId":' + (record.elementId == null ? 'null' : JSON.stringify(record.elementId));
  out += ',"intent":' + JSON.stringify(record.intent);
  if (record.processInstanceKey !== undefined)
    out += ',"processInstanceKey":' + canonicalJson(record.processInstanceKey);
  if (record.key !== undefined) out += ',"recordKey":' + canonicalJson(record.key);
  if (record.value !== undefined) out += ',"value":' + canonicalJson(record.value);
  return out + ',"valueType":' + JSON.stringify(record.valueType) + '}';
}

export interface HistoryEntry {
  readonly seq: number;
  readonly records: readonly HistoryRecord[];
  readonly actor: string | null;
  /** epoch ms */
  readonly at: number;
}

export function hashEntry(prevHash: string, entry: HistoryEntry): string {
  return hashCanonical(prevHash, entry.seq, canonicalJson(entry.records), entry.actor, entry.at);
}

/**
 * The hash of an entry whose records are given as canonical JSON: sha256(prevHash + canonicalJson of
 * `{actor, at, records, seq}`), the object's keys written in their sorted order — the same bytes as
 * canonicalJson of the whole entry, so entries written before and after verify alike.
 */
function hashCanonical(prevHash: string, seq: number, records: string, actor: string | null, at: number): string {
  const canonical =
    '{"actor":' +
    JSON.stringify(actor ?? null) +
    ',"at":' +
    JSON.stringify(new Date(at).toISOString()) +
    ',"records":' +
    records +
    ',"seq":' +
    JSON.stringify(seq) +
    '}';
  return createHash('sha256')
    .update(prevHash + canonical)
    .digest('hex');
}

export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * Turns a command's records into the history entry continuing the chain at `head` (which it advances).
 * The records are serialised once, canonically: that text is both what is hashed and what is stored
 * (jsonb parses it into the same value, so recomputing the hash from the stored entry gives the same).
 */
export function historyRow(
  rootKey: string,
  tenantId: string,
  records: readonly RuntimeRecord[],
  head: ChainHead,
  actor: string | null,
  at: number,
): NewHistory {
  let text = '[';
  for (let i = 0; i < records.length; i++) text += (i > 0 ? ',' : '') + canonicalRecord(records[i]);
  text += ']';
  const seq = head.seq + 1;
  const hash = hashCanonical(head.hash, seq, text, actor, at);
  head.seq = seq;
  head.hash = hash;
  return { root_key: rootKey, seq, tenant_id: tenantId, records: text, actor, at: new Date(at), hash };
}

export interface ChainVerification {
  readonly valid: boolean;
  readonly entries: number;
  /** the first entry whose hash or position does not match */
  readonly brokenAt?: number;
  readonly reason?: string;
}

/** Recomputes the chain of one root's entries (ordered by seq). */
export function verifyChain(rows: readonly HistoryRow[]): ChainVerification {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const row of rows) {
    if (row.seq !== expectedSeq)
      return {
        valid: false,
        entries: rows.length,
        brokenAt: row.seq,
        reason: `Expected entry ${expectedSeq}, but found ${row.seq}.`,
      };
    const hash = hashEntry(prev, { seq: row.seq, records: row.records, actor: row.actor, at: row.at.getTime() });
    if (hash !== row.hash)
      return {
        valid: false,
        entries: rows.length,
        brokenAt: row.seq,
        reason: `Expected entry ${row.seq} to hash to its stored hash, but its content or its predecessor was changed.`,
      };
    prev = hash;
    expectedSeq++;
  }
  return { valid: true, entries: rows.length };
}

/** One item per record, numbered across the whole chain, each carrying its entry's actor, time and hash. */
export function historyItems(
  rows: readonly HistoryRow[],
): (HistoryRecord & { seq: number; actor: string | null; at: Date; hash: string })[] {
  const items: (HistoryRecord & { seq: number; actor: string | null; at: Date; hash: string })[] = [];
  for (const row of rows) {
    for (const record of row.records)
      items.push({ ...record, seq: items.length + 1, actor: row.actor, at: row.at, hash: row.hash });
  }
  return items;
}
