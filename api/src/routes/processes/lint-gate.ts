/**
 * The server side of the designer's live validation: every BPMN resource of a deployment is linted with
 * exactly the rules the browser runs (modeler/lint); errors refuse the deployment with 400 problem+json
 * listing `problems[{elementId, resource, message, rule}]`, like the engine's own rejections. Warnings do
 * not block. Files that declare no Camunda execution platform are not linted (see modeler/lint/index.ts).
 * Processes in the designer's release workflow are not deployed directly at all (assertOutsideWorkflow).
 */
import type { Engine, TenantScope } from '../../../../engine/src/index.js';
import { ApiProblem } from '../../errors.js';
import type { LintProblem } from '../../../../modeler/lint/index.js';
import { inWorkflow } from './process.repository.js';

// the rules (FEEL parser and all) load on the first deployment, not with the server
const lint = () => import('../../../../modeler/lint/index.js');

const BPMN_RESOURCE = /\.(bpmn|bpmn2|xml)$/i;

export async function lintResources(
  resources: readonly { name: string; content: string | Buffer }[],
): Promise<(LintProblem & { resource: string })[]> {
  const { lintXml } = await lint();
  const found: (LintProblem & { resource: string })[] = [];
  for (const resource of resources) {
    if (!BPMN_RESOURCE.test(resource.name)) continue;
    const xml = typeof resource.content === 'string' ? resource.content : resource.content.toString('utf8');
    for (const problem of await lintXml(xml)) found.push({ ...problem, resource: resource.name });
  }
  return found;
}

/** Throws the 400 problem when a resource has lint errors; returns the warnings otherwise. */
export async function assertLintClean(
  resources: readonly { name: string; content: string | Buffer }[],
): Promise<(LintProblem & { resource: string })[]> {
  const found = await lintResources(resources);
  const errors = (await lint()).blocking(found);
  if (errors.length > 0)
    throw new ApiProblem(
      400,
      'deployment-rejected',
      'Deployment rejected',
      `Expected a process without lint errors, but found ${errors.length}: ${errors
        .map((problem) => `${problem.elementId ?? problem.resource}: ${problem.message}`)
        .join(' ')}`,
      {
        problems: errors.map(({ elementId, resource, message, rule }) => ({ elementId, resource, message, rule })),
      },
    );
  return found.filter((problem) => !errors.includes(problem));
}

/** The ids of the processes in the BPMN resources (for the release-workflow gate; the engine parses them properly). */
const processIdsOf = (resources: readonly { name: string; content: string | Buffer }[]) =>
  resources
    .filter((resource) => BPMN_RESOURCE.test(resource.name))
    .flatMap((resource) =>
      [
        ...(typeof resource.content === 'string' ? resource.content : resource.content.toString('utf8')).matchAll(
          /<(?:[A-Za-z_][\w.-]*:)?process\b[^>]*?\sid="([^"]+)"/g,
        ),
      ].map((match) => match[1]),
    );

/**
 * A process with a working copy is released only through review (issue #7): a direct deployment of it
 * is refused with 409 naming the process, so there is no way around the four eyes.
 */
export async function assertOutsideWorkflow(
  engine: Engine,
  scope: TenantScope & { tenantId: string },
  resources: readonly { name: string; content: string | Buffer }[],
): Promise<void> {
  const ids = [...new Set(processIdsOf(resources))];
  const governed = await engine.scoped(scope, (db) => inWorkflow(db, scope.tenantId, ids));
  if (governed.length > 0)
    throw new ApiProblem(
      409,
      'release-workflow',
      'Freigabe erforderlich / Release through review',
      `Expected processes without a working copy in the designer, but ${governed.map((id) => `'${id}'`).join(', ')} ${governed.length === 1 ? 'is' : 'are'} released only through review (POST /v2/processes/{id}/review-request).`,
      {
        errors: governed.map((id) => ({
          field: 'body.resources',
          message: `'${id}' is released only through review.`,
          bpmnProcessId: id,
        })),
      },
    );
}
