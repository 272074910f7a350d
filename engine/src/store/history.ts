/**
 * The hash-chained history: every record of a root instance is appended with a sequence number and
 * hash = sha256(prev_hash + canonical JSON of the entry). Recomputing the chain detects any change,
 * deletion or reordering of entries. The chain of a root starts at GENESIS_HASH.
 */
import { createHash } from 'node:crypto';
import type { RuntimeRecord } from '../runtime/types.js';
import { json, type HistoryRow, type NewHistory } from './database.js';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level, so the hash does not depend on jsonb's key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value))
    return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const entries = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

export interface HistoryEntry {
  readonly seq: number;
  readonly processInstanceKey: string;
  readonly recordKey: string;
  readonly valueType: string;
  readonly intent: string;
  readonly elementId: string | null;
  readonly value: Readonly<Record<string, unknown>>;
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

/** Turns a command's records into history rows continuing the chain at `head` (which it advances). */
export function historyRows(
  rootKey: string,
  tenantId: string,
  records: readonly RuntimeRecord[],
  head: ChainHead,
  actor: string | null,
  at: number,
): NewHistory[] {
  const rows: NewHistory[] = [];
  const atDate = new Date(at);
  for (const record of records) {
    const entry: HistoryEntry = {
      seq: head.seq + 1,
      processInstanceKey: record.processInstanceKey,
      recordKey: record.key,
      valueType: record.valueType,
      intent: record.intent,
      elementId: record.elementId ?? null,
      value: record.value,
      actor,
      at,
    };
    const hash = hashEntry(head.hash, entry);
    rows.push({
      root_key: rootKey,
      seq: entry.seq,
      tenant_id: tenantId,
      process_instance_key: entry.processInstanceKey,
      record_key: entry.recordKey,
      value_type: entry.valueType,
      intent: entry.intent,
      element_id: entry.elementId,
      value: json(entry.value),
      actor,
      at: atDate,
      prev_hash: head.hash,
      hash,
    });
    head.seq = entry.seq;
    head.hash = hash;
  }
  return rows;
}

export interface ChainVerification {
  readonly valid: boolean;
  readonly entries: number;
  /** the first entry whose hash or link does not match */
  readonly brokenAt?: number;
  readonly reason?: string;
}

/** Recomputes the chain of one root's rows (ordered by seq). */
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
    if (row.prev_hash !== prev)
      return {
        valid: false,
        entries: rows.length,
        brokenAt: row.seq,
        reason: `Expected entry ${row.seq} to link to the previous hash, but it does not.`,
      };
    const hash = hashEntry(prev, {
      seq: row.seq,
      processInstanceKey: row.process_instance_key,
      recordKey: row.record_key,
      valueType: row.value_type,
      intent: row.intent,
      elementId: row.element_id,
      value: row.value,
      actor: row.actor,
      at: row.at.getTime(),
    });
    if (hash !== row.hash)
      return {
        valid: false,
        entries: rows.length,
        brokenAt: row.seq,
        reason: `Expected entry ${row.seq} to hash to its stored hash, but its content was changed.`,
      };
    prev = hash;
    expectedSeq++;
  }
  return { valid: true, entries: rows.length };
}
