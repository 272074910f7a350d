/**
 * betsy's bpmn_constraints: 301 models, one folder per BPMN 2.0 constraint id (EXT002 … EXT152, REF),
 * each violating its constraint. A deployment must reject every one of them; a model that compiles is
 * a failure. Compiled with the same options as the betsy runtime models, so only the models differ.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compileBpmn } from '../../engine/src/model/compile.js';

export interface ConstraintsResult {
  rejected: number;
  total: number;
  /** models that compiled although they violate their constraint */
  failures: { file: string; reason: string }[];
  /** the first problem reported for each rejected model, for reading the reasons */
  reasons: { file: string; reason: string }[];
}

export async function runConstraints(root: string): Promise<ConstraintsResult> {
  const result: ConstraintsResult = { rejected: 0, total: 0, failures: [], reasons: [] };
  for (const path of bpmnFiles(root)) {
    const file = relative(root, path);
    result.total++;
    const compiled = await compileBpmn(readFileSync(path), { resourceName: file, acceptScriptBodies: true });
    if (compiled.ok) {
      result.failures.push({ file, reason: 'compiled without problems' });
      continue;
    }
    result.rejected++;
    const [first] = compiled.problems;
    result.reasons.push({ file, reason: `${first.elementId ? `${first.elementId}: ` : ''}${first.message}` });
  }
  return result;
}

export function bpmnFiles(directory: string): string[] {
  return readdirSync(directory)
    .sort()
    .flatMap((name) => {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) return bpmnFiles(path);
      return name.endsWith('.bpmn') ? [path] : [];
    });
}
