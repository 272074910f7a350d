/**
 * The betsy runtime models (every folder but bpmn_constraints) must deploy. A model counts as wrongly
 * rejected unless betsy itself accepts a deployment error for it: betsy-cases.json expects `ERROR` /
 * `ERROR_deployment` in every case of the test (e.g. startQuantity="0", which BPMN forbids).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compileBpmn } from '../../engine/src/model/compile.js';
import { bpmnFiles } from './constraints.js';

export interface ValidModelsResult {
  accepted: number;
  total: number;
  /** rejected, and betsy expects the model to run */
  wronglyRejected: { file: string; reason: string }[];
  /** rejected, and betsy accepts a deployment error as the outcome */
  rejectedAsExpected: { file: string; reason: string }[];
}

export async function runValidModels(
  root: string,
  options: { adapt?: (xml: string) => string } = {},
): Promise<ValidModelsResult> {
  const deploymentErrorAllowed = filesExpectingDeploymentError(root);
  const files = bpmnFiles(root).filter((path) => !relative(root, path).startsWith('bpmn_constraints'));
  const result: ValidModelsResult = { accepted: 0, total: files.length, wronglyRejected: [], rejectedAsExpected: [] };
  for (const path of files) {
    const file = relative(root, path);
    const xml = readFileSync(path, 'utf8');
    const compiled = await compileBpmn(options.adapt ? options.adapt(xml) : xml, {
      resourceName: file,
      acceptScriptBodies: true,
    });
    if (compiled.ok) {
      result.accepted++;
      continue;
    }
    const reason = compiled.problems
      .map((problem) => `${problem.elementId ? `${problem.elementId}: ` : ''}${problem.message}`)
      .join('; ');
    (deploymentErrorAllowed.has(file) ? result.rejectedAsExpected : result.wronglyRejected).push({ file, reason });
  }
  return result;
}

function filesExpectingDeploymentError(root: string): Set<string> {
  const casesFile = join(root, 'betsy-cases.json');
  if (!existsSync(casesFile)) return new Set();
  const { tests } = JSON.parse(readFileSync(casesFile, 'utf8')) as {
    tests: { bpmnFile: string; partOfSuite: string; cases: { expectedTrace: string[] }[] }[];
  };
  const isDeploymentError = (trace: string[]) =>
    trace.length === 1 && (trace[0] === 'ERROR' || trace[0] === 'ERROR_deployment');
  return new Set(
    tests
      .filter(
        (test) =>
          test.partOfSuite === 'ALL' && test.cases.every((testCase) => isDeploymentError(testCase.expectedTrace)),
      )
      .map((test) => test.bpmnFile),
  );
}
