/**
 * Small BPMN builders for the compiler tests: a definitions element in plain BPMN or in the zeebe
 * dialect, sequence flows, and a helper that compiles and returns the problems.
 */
import type { ModelProblem } from '../../../engine/src/errors.js';
import { compileBpmn, type CompileOptions } from '../../../engine/src/model/compile.js';

const NAMESPACES =
  'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="http://example.org/bpmn"';
const ZEEBE_NAMESPACE = 'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"';

/** `<bpmn:definitions>` around root elements; `zeebe: true` declares the zeebe namespace (Camunda 8 dialect). */
export function definitions(rootElements: string, options: { zeebe?: boolean } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions ${NAMESPACES}${options.zeebe ? ` ${ZEEBE_NAMESPACE}` : ''} id="defs">${rootElements}</bpmn:definitions>`;
}

/** An executable process with the given content, plus optional root elements (messages, errors …). */
export function processModel(
  content: string,
  options: { zeebe?: boolean; rootElements?: string; id?: string } = {},
): string {
  return definitions(
    `<bpmn:process id="${options.id ?? 'p'}" isExecutable="true">${content}</bpmn:process>${options.rootElements ?? ''}`,
    options,
  );
}

export function flow(id: string, from: string, to: string, condition?: string): string {
  if (condition === undefined) return `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`;
  return `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${condition}</bpmn:conditionExpression></bpmn:sequenceFlow>`;
}

/** start → element → end around one element, the smallest valid process level. */
export function around(elementXml: string, elementId: string): string {
  return `<bpmn:startEvent id="start" />${flow('toElement', 'start', elementId)}${elementXml}${flow('toEnd', elementId, 'end')}<bpmn:endEvent id="end" />`;
}

/** Compiles like the betsy conformance run (script bodies accepted) unless told otherwise; [] when it compiles. */
export async function problemsOf(xml: string | Buffer, options: Partial<CompileOptions> = {}): Promise<ModelProblem[]> {
  const result = await compileBpmn(xml, { resourceName: 'test.bpmn', acceptScriptBodies: true, ...options });
  return result.ok ? [] : result.problems;
}

/** A jest matcher argument for a problem at `elementId` whose message contains `text`. */
export function problemAt(elementId: string | null, text: string): ModelProblem {
  return expect.objectContaining({ elementId, message: expect.stringContaining(text) }) as ModelProblem;
}
