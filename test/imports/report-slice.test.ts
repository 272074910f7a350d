/**
 * The slice of `npm run imports:report` in the suite: every sample is imported or refused with a code, and
 * in each row every construct is either mapped or reported — nothing dropped silently.
 */
import { camunda7Report, xdatenfelderReport, xprozessReport } from './run.js';

it('should account for every construct of every XDatenfelder sample', () => {
  const rows = xdatenfelderReport();
  expect(rows.length).toBeGreaterThanOrEqual(7);
  for (const row of rows)
    if ('error' in row) expect(row.error).toMatch(/^XDF_/);
    else expect(row.mapped + row.reported).toBe(row.fields);
  // the legacy 1.0 export is refused, naming its version, not half imported
  expect(rows.find((row) => row.file.includes('xdf1'))).toMatchObject({ error: expect.stringMatching(/^XDF_/) });
});

it('should account for every camunda: construct of every DigiWF model', async () => {
  const rows = await camunda7Report();
  expect(rows.length).toBeGreaterThanOrEqual(1);
  for (const row of rows) {
    expect(row).not.toHaveProperty('error');
    if ('elements' in row) expect(row.converted + row.reported).toBe(row.elements);
  }
});

it('should account for every element and extension of every XProzess export', async () => {
  const rows = await xprozessReport();
  expect(rows.length).toBeGreaterThanOrEqual(1);
  for (const row of rows) {
    expect(row).not.toHaveProperty('error');
    if ('elements' in row) {
      expect(row.mapped + row.reported).toBe(row.elements);
      expect(row.elements).toBeGreaterThan(0);
    }
  }
  expect(rows).toContainEqual(expect.objectContaining({ leikaKey: '99006028261000' }));
}, 60_000);
