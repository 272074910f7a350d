/**
 * OMG BPMN Model Interchange Working Group reference models: each must import without a fatal error,
 * and export → re-import must keep every element id (semantic elements and diagram interchange alike).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { exportBpmn, parseBpmnDefinitions } from '../../engine/src/model/compile.js';
import { descendants, type ModdleElement } from '../../engine/src/model/moddle.js';
import { bpmnFiles } from './constraints.js';

export interface MiwgResult {
  imported: number;
  total: number;
  failures: { file: string; reason: string; missingIds?: string[] }[];
}

export async function runMiwg(root: string): Promise<MiwgResult> {
  const files = bpmnFiles(root);
  const result: MiwgResult = { imported: 0, total: files.length, failures: [] };
  for (const path of files) {
    const file = relative(root, path);
    try {
      const { definitions } = await parseBpmnDefinitions(readFileSync(path), { resourceName: file });
      const exported = await exportBpmn(definitions);
      const { definitions: reimported } = await parseBpmnDefinitions(exported, { resourceName: file });
      const before = idsOf(definitions);
      const after = idsOf(reimported);
      const missingIds = [...before].filter((id) => !after.has(id));
      if (missingIds.length > 0) {
        result.failures.push({
          file,
          reason: `${missingIds.length} element id(s) lost in the export round trip`,
          missingIds,
        });
        continue;
      }
      result.imported++;
    } catch (error) {
      result.failures.push({ file, reason: (error as Error).message });
    }
  }
  return result;
}

function idsOf(definitions: ModdleElement): Set<string> {
  const ids = new Set<string>();
  for (const element of descendants(definitions)) if (typeof element.id === 'string') ids.add(element.id);
  return ids;
}
