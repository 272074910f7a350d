/**
 * A user task nobody is offered waits forever: it needs a candidate group (an organisational unit) or an
 * assignee (`zeebe:assignmentDefinition`), possibly as a FEEL expression.
 */
import type { LintNode, Reporter, RuleFactory } from '../types.js';
import { extensionOf } from './helper.js';

const filled = (value: unknown) => typeof value === 'string' && value.trim() !== '' && value.trim() !== '=';

const userTaskAssignment: RuleFactory = () => ({
  check(node: LintNode, reporter: Reporter) {
    if (!node.$instanceOf('bpmn:UserTask')) return;
    const assignment = extensionOf(node, 'zeebe:AssignmentDefinition');
    if (assignment && (filled(assignment.candidateGroups) || filled(assignment.assignee))) return;
    reporter.report(
      node.id,
      `Expected a candidate group or an assignee on user task '${node.name ?? node.id}', but it has neither, so no clerk would ever see it.`,
      { path: ['extensionElements'] },
    );
  },
});

export default userTaskAssignment;
