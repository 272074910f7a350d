/**
 * The hash-chained history: every command appends ONE entry per root instance with the ordered records it
 * produced; hash = sha256(previous entry's hash + canonical JSON of the entry). Recomputing the chain
 * detects any change, deletion or reordering of entries (a truncated end is caught against the chain head
 * kept in the root row). The chain of a root starts at GENESIS_HASH. Readers see one item per record.
 */
import { createHash } from 'node:crypto';
import type { RuntimeRecord } from '../runtime/types.js';
import { json, type HistoryRecord, type HistoryRow, type NewHistory } from './database.js';

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
  const keys = Object.keys(object).sort();
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

export interface HistoryEntry {
  readonly seq: number;
  readonly records: readonly HistoryRecord[];
  readonly actor: string | null;
  /** epoch ms */
  readonly at: number;
}

export function hashEntry(prevHash: string, entry: HistoryEntry): string {
  const canonical = canonicalJson({ ...entry, at: new Date(entry.at).toISOString() });
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
}

export interface ChainHead {
  seq: number;
  hash: string;
}

/** Turns a command's records into the history entry continuing the chain at `head` (which it advances). */
export function historyRow(
  rootKey: string,
  tenantId: string,
  records: readonly RuntimeRecord[],
  head: ChainHead,
  actor: string | null,
  at: number,
): NewHistory {
  const entry: HistoryEntry = {
    seq: head.seq + 1,
    records: records.map((record) => ({
      processInstanceKey: record.processInstanceKey,
      recordKey: record.key,
      valueType: record.valueType,
      intent: record.intent,
      elementId: record.elementId ?? null,
      value: record.value as Record<string, unknown>,
    })),
    actor,
    at,
  };
  const hash = hashEntry(head.hash, entry);
  head.seq = entry.seq;
  head.hash = hash;
  return {
    root_key: rootKey,
    seq: entry.seq,
    tenant_id: tenantId,
    records: json(entry.records),
    actor,
    at: new Date(at),
    hash,
  };
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
