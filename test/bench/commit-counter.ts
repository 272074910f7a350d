/**
 * Counts the COMMITs this process's PostgreSQL clients send (at the driver, so nothing is missed or
 * delayed): the benchmarks report commits per instance, which group commit brings below one per command.
 */
import pg from 'pg';

let commitsSent = 0;
const originalQuery = pg.Client.prototype.query;
(pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (
  this: pg.Client,
  ...args: unknown[]
) {
  const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
  // a COMMIT alone, or at the end of a write sent together with it (lazy COMMIT, engine/src/store/database.ts)
  if (text !== undefined && /(^|;)\s*commit\s*$/i.test(text)) commitsSent++;
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
};

export const commitsSentSoFar = (): number => commitsSent;
