/**
 * A process released through the designer's workflow from code, the way two people do it in the designer:
 * the author saves the working copy and asks for review, a second person approves (four eyes). The demo
 * seed releases its process this way, and so do the tests that need a service citizens can apply for —
 * only released versions serve applications.
 */
import type { FastifyInstance } from 'fastify';
import { canonicalJson } from '../packages/canonical-json.js';

export interface ProcessContent {
  readonly bpmnProcessId: string;
  readonly name: string;
  readonly bpmnXml: string;
  readonly forms: readonly { formId: string; schema: Record<string, unknown> }[];
}

export interface ReleaseOutcome {
  /** released: a new revision went through review; unchanged: the release has this content already;
   * left-alone: someone is editing or reviewing the working copy */
  readonly outcome: 'released' | 'unchanged' | 'left-alone';
  readonly state: string;
}

interface Details {
  readonly state: string;
  readonly revision: number;
  readonly bpmnXml: string;
  readonly forms: unknown;
}

/**
 * Creates the working copy if there is none and releases the content, unless the release has it already.
 * What others made of the working copy is theirs — edited, in review, withdrawn, or released with other
 * content — and left as it is, except where `isOwn` recognises the BPMN as the caller's own earlier content
 * (the demo's process with another Fachverfahren address, a seed that stopped half-way).
 */
export async function releaseThroughReview(
  app: FastifyInstance,
  people: { readonly author: string; readonly reviewer: string },
  content: ProcessContent,
  isOwn: (bpmnXml: string) => boolean = () => false,
): Promise<ReleaseOutcome> {
  const call = async <T>(method: 'GET' | 'POST' | 'PUT', url: string, authorization: string, payload?: object) => {
    const response = await app.inject({ method, url, headers: { authorization }, payload });
    if (response.statusCode >= 300)
      throw new Error(`Expected ${method} ${url} to succeed, but: ${response.statusCode} ${response.body}`);
    return response.json() as T;
  };
  const path = `/v2/processes/${encodeURIComponent(content.bpmnProcessId)}`;
  const existing = await app.inject({ method: 'GET', url: path, headers: { authorization: people.author } });
  let current: Details;
  if (existing.statusCode === 404)
    current = await call<Details>('POST', '/v2/processes', people.author, {
      bpmnProcessId: content.bpmnProcessId,
      name: content.name,
    });
  else if (existing.statusCode === 200) current = existing.json() as Details;
  else throw new Error(`Expected GET ${path} to answer, but: ${existing.statusCode} ${existing.body}`);

  // forms come back from jsonb with their keys in another order
  const same = current.bpmnXml === content.bpmnXml && canonicalJson(current.forms) === canonicalJson(content.forms);
  if (same && current.state === 'released' && current.revision > 0)
    return { outcome: 'unchanged', state: current.state };
  const fresh = current.state === 'draft' && current.revision === 1;
  const ours = (current.state === 'draft' || current.state === 'released') && isOwn(current.bpmnXml);
  if (!fresh && !ours) return { outcome: 'left-alone', state: current.state };

  const saved = await call<Details>('PUT', `${path}/draft`, people.author, {
    revision: current.revision,
    name: content.name,
    bpmnXml: content.bpmnXml,
    forms: content.forms,
  });
  await call('POST', `${path}/review-request`, people.author, { revision: saved.revision });
  const released = await call<Details>('POST', `${path}/review`, people.reviewer, { decision: 'approve' });
  return { outcome: 'released', state: released.state };
}
