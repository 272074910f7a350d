/**
 * A job type is what a worker does for one versioned task type (`municipal:forwarding:1`): the JSON Schema
 * of its inputs (in `schemas/`, the same inputs its element template in `workers/templates/` offers the
 * designer) and a processor `(job, input) → outcome` that knows nothing of queues. `toJobHandler` turns it
 * into the engine's handler shape, validating the inputs with ajv before anything happens: a job whose
 * variables violate the schema becomes an incident naming the field, never a half-done effect.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import {
  UnrecoverableJobError,
  type BpmnErrorOutcome,
  type JobHandler,
  type JobInfo,
  type Variables,
} from '../../../engine/src/index.js';

export type Outcome = Variables | void | BpmnErrorOutcome;

export interface JobType<Input = Record<string, unknown>> {
  /** `municipal:<name>:<version>`; the version changes whenever the inputs or outputs change incompatibly */
  readonly type: string;
  /** the JSON Schema of the inputs, from `schemas/jobs/` (`loadInputSchema`) */
  readonly inputSchema: Record<string, unknown>;
  /** handlers of this type at once per process (BullMQ concurrency / in-process runner) */
  readonly concurrency?: number;
  /** the effect; `job.jobKey` is the idempotency key of every external call it makes */
  process(job: JobInfo, input: Input): Promise<Outcome>;
}

const schemasDir = new URL('../../../schemas/jobs/', import.meta.url);

/** Reads `schemas/jobs/<file>`: job input schemas live beside the API's, for the modeler and docs to share. */
export function loadInputSchema(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(file, schemasDir), 'utf8')) as Record<string, unknown>;
}

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
ajv.addFormat('uri', { type: 'string', validate: (value: string) => URL.canParse(value) });
ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
const validators = new WeakMap<Record<string, unknown>, ValidateFunction>();

function validatorOf(schema: Record<string, unknown>): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}

const describe = (error: ErrorObject): string => {
  const field = error.instancePath ? error.instancePath.slice(1).replaceAll('/', '.') : '';
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return `${field ? `${field}.` : ''}${missing} is missing`;
  }
  if (error.keyword === 'additionalProperties')
    return `${field ? `${field}.` : ''}${(error.params as { additionalProperty: string }).additionalProperty} is not allowed`;
  return `${field || 'the input'} ${error.message ?? 'is invalid'}`;
};

/**
 * The job's inputs: the variables the schema declares, taken from what the job sees (its element's input
 * mappings and the case's variables). Throws UnrecoverableJobError naming every offending field.
 */
export function inputOf<Input>(jobType: JobType<Input>, job: JobInfo): Input {
  const properties = (jobType.inputSchema.properties ?? {}) as Record<string, unknown>;
  const input = Object.fromEntries(
    Object.keys(properties)
      .filter((name) => job.variables[name] !== undefined && job.variables[name] !== null)
      .map((name) => [name, job.variables[name]]),
  );
  const validate = validatorOf(jobType.inputSchema);
  if (!validate(input))
    throw new UnrecoverableJobError(
      `Expected the inputs of ${job.type} at element '${job.elementId}' to match its template, but ${(
        validate.errors ?? []
      )
        .map(describe)
        .join('; ')}.`,
    );
  return input as Input;
}

export function toJobHandler<Input>(jobType: JobType<Input>): JobHandler {
  return (job) => jobType.process(job, inputOf(jobType, job));
}
