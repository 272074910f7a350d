/**
 * Data: item definitions, ioSpecifications (input / output sets), data associations, the data of
 * message-based tasks and events, multi-instance data items and service bindings (BPMN 10.4). The
 * engine keeps its own variables, but a model whose declared data does not fit together is broken.
 */
import { eventDefinitionsOf } from '../event.transformer.js';
import { bodyOf, is, type ModdleElement } from '../moddle.js';
import { kindOf, type ValidationModel } from './validation-model.js';

export function validateData(model: ValidationModel): void {
  for (const element of model.elements) {
    if (is(element, 'bpmn:DataInput') || is(element, 'bpmn:DataOutput') || is(element, 'bpmn:DataObject'))
      validateCollectionFlag(element, model);
    if (is(element, 'bpmn:InputOutputSpecification')) validateIoSpecification(element, model);
    if (is(element, 'bpmn:DataAssociation')) validateAssociation(element, model);
    if (is(element, 'bpmn:ServiceTask') && element.operationRef) validateServiceTaskData(element, model);
    if (is(element, 'bpmn:SendTask') && element.messageRef)
      validateMessageTaskData(element, element.messageRef, 'input', model);
    if (is(element, 'bpmn:ReceiveTask') && element.messageRef)
      validateMessageTaskData(element, element.messageRef, 'output', model);
    if (is(element, 'bpmn:Event')) validateEventData(element, model);
    if (is(element, 'bpmn:MultiInstanceLoopCharacteristics')) validateMultiInstanceData(element, model);
    if (is(element, 'bpmn:DataObjectReference')) validateDataStateName(element, model);
    if (is(element, 'bpmn:CallableElement')) validateServiceBindings(element, model);
    if (
      is(element, 'bpmn:FormalExpression') &&
      !bodyOf(element) &&
      !is(element.$parent, 'bpmn:ConditionalEventDefinition') &&
      !is(element.$parent, 'bpmn:TimerEventDefinition')
    ) {
      model.problem(owner(element), 'Expected the formal expression to have a body, but it is empty.');
    }
  }
}

/** The item a data element carries: its own itemSubjectRef, or that of the data object it refers to. */
function itemOf(data: ModdleElement | undefined): ModdleElement | undefined {
  if (!data) return undefined;
  return data.itemSubjectRef ?? data.dataObjectRef?.itemSubjectRef;
}

/** Two item definitions describe the same data: the same definition, or the same structure and multiplicity. */
function sameItem(a: ModdleElement | undefined, b: ModdleElement | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return !!a.structureRef && a.structureRef === b.structureRef && !!a.isCollection === !!b.isCollection;
}

function validateCollectionFlag(data: ModdleElement, model: ValidationModel): void {
  const item: ModdleElement | undefined = data.itemSubjectRef;
  if (item && !!item.isCollection !== !!data.isCollection) {
    model.problem(
      owner(data),
      `Expected isCollection of the ${kindOf(data)} '${data.id}' to match its item definition '${item.id}' (${!!item.isCollection}), but it is ${!!data.isCollection}.`,
    );
  }
}

function validateIoSpecification(specification: ModdleElement, model: ValidationModel): void {
  const at = owner(specification);
  const inputSets: ModdleElement[] = specification.inputSets ?? [];
  const outputSets: ModdleElement[] = specification.outputSets ?? [];
  for (const input of (specification.dataInputs ?? []) as ModdleElement[]) {
    if (!inputSets.some((set) => (set.dataInputRefs ?? []).includes(input)))
      model.problem(at, `Expected the data input '${input.id}' to be part of an input set, but it is in none.`);
  }
  for (const output of (specification.dataOutputs ?? []) as ModdleElement[]) {
    if (!outputSets.some((set) => (set.dataOutputRefs ?? []).includes(output)))
      model.problem(at, `Expected the data output '${output.id}' to be part of an output set, but it is in none.`);
  }
  for (const set of inputSets) {
    for (const kind of ['optionalInputRefs', 'whileExecutingInputRefs'] as const) {
      for (const input of (set[kind] ?? []) as ModdleElement[]) {
        if (!(set.dataInputRefs ?? []).includes(input))
          model.problem(
            at,
            `Expected '${input.id}' in ${kind} to be one of the input set's dataInputRefs, but it is not.`,
          );
      }
    }
    for (const outputSet of (set.outputSetRefs ?? []) as ModdleElement[]) {
      if (!(outputSet.inputSetRefs ?? []).includes(set))
        model.problem(
          at,
          `Expected output set '${outputSet.id}' to refer back to input set '${set.id}', but it does not.`,
        );
    }
  }
  for (const set of outputSets) {
    for (const kind of ['optionalOutputRefs', 'whileExecutingOutputRefs'] as const) {
      for (const output of (set[kind] ?? []) as ModdleElement[]) {
        if (!(set.dataOutputRefs ?? []).includes(output))
          model.problem(
            at,
            `Expected '${output.id}' in ${kind} to be one of the output set's dataOutputRefs, but it is not.`,
          );
      }
    }
    for (const inputSet of (set.inputSetRefs ?? []) as ModdleElement[]) {
      if (!(inputSet.outputSetRefs ?? []).includes(set))
        model.problem(
          at,
          `Expected input set '${inputSet.id}' to refer back to output set '${set.id}', but it does not.`,
        );
    }
  }
}

function validateAssociation(association: ModdleElement, model: ValidationModel): void {
  const sources: ModdleElement[] = association.sourceRef ?? [];
  const target: ModdleElement | undefined = association.targetRef;
  const at = owner(association);
  if (
    is(association, 'bpmn:DataInputAssociation') &&
    sources.some((source) => is(source, 'bpmn:DataOutput') && is(source.$parent?.$parent, 'bpmn:Process'))
  ) {
    model.problem(
      at,
      'Expected a data input association to read from a data object, property or data input, but it reads from a data output of the process.',
    );
  }
  if (is(association, 'bpmn:DataOutputAssociation') && is(target, 'bpmn:DataInput')) {
    model.problem(
      at,
      `Expected a data output association to write to a data object, property or data output, but it writes to the data input '${target!.id}'.`,
    );
  }
  if (association.transformation) return;
  if (sources.length > 1)
    model.problem(
      at,
      `Expected a data association without transformation to have a single source, but it has ${sources.length}.`,
    );
  const sourceItem = itemOf(sources[0]);
  const targetItem = itemOf(target);
  if (sourceItem && targetItem && !sameItem(sourceItem, targetItem)) {
    model.problem(
      at,
      `Expected the data association to connect data of the same item definition (or to define a transformation), but '${sourceItem.id}' and '${targetItem.id}' differ.`,
    );
  }
}

/** BPMN 10.3.3: a service task bound to an operation exchanges exactly the operation's messages. */
function validateServiceTaskData(task: ModdleElement, model: ValidationModel): void {
  const operation: ModdleElement = task.operationRef;
  const specification: ModdleElement | undefined = task.ioSpecification;
  const inputSets = specification?.inputSets ?? [];
  const outputSets = specification?.outputSets ?? [];
  if (inputSets.length !== 1)
    model.problem(
      task,
      `Expected the service task bound to operation '${operation.id}' to define exactly one input set, but it defines ${inputSets.length}.`,
    );
  if (outputSets.length > 1)
    model.problem(
      task,
      `Expected the service task bound to operation '${operation.id}' to define at most one output set, but it defines ${outputSets.length}.`,
    );
  const checks: [ModdleElement[], ModdleElement | undefined, string][] = [
    [specification?.dataInputs ?? [], operation.inMessageRef, 'input'],
    [specification?.dataOutputs ?? [], operation.outMessageRef, 'output'],
  ];
  for (const [data, message, kind] of checks) {
    if (!message) continue;
    for (const item of data) {
      if (!sameItem(item.itemSubjectRef, message.itemRef)) {
        model.problem(
          task,
          `Expected the data ${kind} '${item.id}' to carry the item of message '${message.id}' (${message.itemRef?.id ?? 'none'}), but it carries ${item.itemSubjectRef?.id ?? 'none'}.`,
        );
      }
    }
  }
}

/** Send tasks pass one data input into their message, receive tasks one data output out of it. */
function validateMessageTaskData(
  task: ModdleElement,
  message: ModdleElement,
  kind: 'input' | 'output',
  model: ValidationModel,
): void {
  const specification: ModdleElement | undefined = task.ioSpecification;
  if (!specification) return;
  const sets: ModdleElement[] = (kind === 'input' ? specification.inputSets : specification.outputSets) ?? [];
  const data: ModdleElement[] = (kind === 'input' ? specification.dataInputs : specification.dataOutputs) ?? [];
  if (sets.length > 1)
    model.problem(
      task,
      `Expected the ${kindOf(task)} to define at most one ${kind} set, but it defines ${sets.length}.`,
    );
  if (data.length > 1)
    model.problem(
      task,
      `Expected the ${kindOf(task)} to define at most one data ${kind}, but it defines ${data.length}.`,
    );
  for (const item of data) {
    if (!sameItem(item.itemSubjectRef, message.itemRef)) {
      model.problem(
        task,
        `Expected the data ${kind} '${item.id}' to carry the item of message '${message.id}' (${message.itemRef?.id ?? 'none'}), but it carries ${item.itemSubjectRef?.id ?? 'none'}.`,
      );
    }
  }
}

/** The item an event definition carries (message, signal, error, escalation). */
function definitionItem(definition: ModdleElement): ModdleElement | undefined {
  return (
    definition.messageRef?.itemRef ??
    definition.signalRef?.structureRef ??
    definition.errorRef?.structureRef ??
    definition.escalationRef?.structureRef
  );
}

/** BPMN 10.5.1: an event with data has one data input (throw) / output (catch) per event definition, in order. */
function validateEventData(event: ModdleElement, model: ValidationModel): void {
  const data: ModdleElement[] = (is(event, 'bpmn:ThrowEvent') ? event.dataInputs : event.dataOutputs) ?? [];
  if (data.length === 0) return;
  const definitions = eventDefinitionsOf(event);
  const kind = is(event, 'bpmn:ThrowEvent') ? 'data input' : 'data output';
  if (data.length !== definitions.length) {
    model.problem(
      event,
      `Expected one ${kind} per event definition (${definitions.length}), but the event has ${data.length}.`,
    );
    return;
  }
  definitions.forEach((definition, index) => {
    const expected = definitionItem(definition);
    const actual: ModdleElement | undefined = data[index].itemSubjectRef;
    if (expected && typeof expected === 'object' && !sameItem(actual, expected)) {
      model.problem(
        event,
        `Expected the ${kind} '${data[index].id}' to carry the item of its event definition (${expected.id}), but it carries ${actual?.id ?? 'none'}.`,
      );
    }
  });
}

/** The data item of each instance is the element type of the loop's data collection. */
function validateMultiInstanceData(loop: ModdleElement, model: ValidationModel): void {
  const activity = loop.$parent;
  const pairs: [ModdleElement | undefined, ModdleElement | undefined, string][] = [
    [loop.loopDataInputRef, loop.inputDataItem, 'input'],
    [loop.loopDataOutputRef, loop.outputDataItem, 'output'],
  ];
  for (const [collection, item, kind] of pairs) {
    const collectionItem = collection?.itemSubjectRef;
    const elementItem = item?.itemSubjectRef;
    if (!collectionItem || !elementItem) continue;
    if (
      elementItem.isCollection ||
      (collectionItem.structureRef && elementItem.structureRef !== collectionItem.structureRef)
    ) {
      model.problem(
        activity,
        `Expected the ${kind} data item '${item!.id}' to be a single element of the loop data ${kind} '${collection!.id}', but its item definition '${elementItem.id}' does not fit.`,
      );
    }
  }
  const declared: ModdleElement[] = activity?.ioSpecification?.dataInputs ?? [];
  if (
    loop.loopDataInputRef &&
    is(loop.loopDataInputRef, 'bpmn:DataInput') &&
    !declared.includes(loop.loopDataInputRef)
  ) {
    model.problem(
      activity,
      `Expected loopDataInputRef to reference a data input of the activity, but '${loop.loopDataInputRef.id}' is not one.`,
    );
  }
}

/** BPMN 10.4.1: a data object reference with a state is named "<data object name> [<state>]". */
function validateDataStateName(reference: ModdleElement, model: ValidationModel): void {
  const state = reference.dataState?.name;
  const objectName = reference.dataObjectRef?.name;
  if (!state || !reference.name || !objectName) return;
  const expected = `${objectName} [${state}]`;
  if (reference.name !== expected)
    model.problem(
      reference,
      `Expected the data object reference to be named '${expected}', but it is named '${reference.name}'.`,
    );
}

/** A callable element exposed as a service binds its inputs and outputs to operations of its interfaces. */
function validateServiceBindings(callable: ModdleElement, model: ValidationModel): void {
  const interfaces: ModdleElement[] = callable.supportedInterfaceRef ?? [];
  const bindings: ModdleElement[] = callable.ioBinding ?? [];
  if (interfaces.length > 0 && bindings.length === 0) {
    model.problem(
      callable,
      'Expected a callable element with supported interfaces to define at least one ioBinding, but it defines none.',
    );
  }
  const operations = interfaces.flatMap((candidate) => (candidate.operations ?? []) as ModdleElement[]);
  for (const binding of bindings) {
    const operation: ModdleElement | undefined = binding.operationRef;
    if (operation && interfaces.length > 0 && !operations.includes(operation)) {
      model.problem(
        callable,
        `Expected the ioBinding operation '${operation.id}' to belong to a supported interface, but it does not.`,
      );
    }
    const inputs: ModdleElement[] = callable.ioSpecification?.dataInputs ?? [];
    const outputs: ModdleElement[] = callable.ioSpecification?.dataOutputs ?? [];
    if (binding.inputDataRef && !inputs.includes(binding.inputDataRef))
      model.problem(
        callable,
        `Expected the ioBinding input '${binding.inputDataRef.id}' to be a data input of '${callable.id}', but it is not.`,
      );
    if (binding.outputDataRef && !outputs.includes(binding.outputDataRef))
      model.problem(
        callable,
        `Expected the ioBinding output '${binding.outputDataRef.id}' to be a data output of '${callable.id}', but it is not.`,
      );
    if (
      operation?.inMessageRef &&
      binding.inputDataRef &&
      !sameItem(binding.inputDataRef.itemSubjectRef, operation.inMessageRef.itemRef)
    ) {
      model.problem(
        callable,
        `Expected the ioBinding input '${binding.inputDataRef.id}' to carry the item of the operation's input message, but it does not.`,
      );
    }
    if (
      operation?.outMessageRef &&
      binding.outputDataRef &&
      !sameItem(binding.outputDataRef.itemSubjectRef, operation.outMessageRef.itemRef)
    ) {
      model.problem(
        callable,
        `Expected the ioBinding output '${binding.outputDataRef.id}' to carry the item of the operation's output message, but it does not.`,
      );
    }
  }
}

/** Nested data elements rarely matter alone; report them at the nearest element with an id. */
function owner(element: ModdleElement): ModdleElement | undefined {
  let current: ModdleElement | undefined = element;
  while (
    current &&
    !(
      current.id &&
      (is(current, 'bpmn:FlowElement') ||
        is(current, 'bpmn:RootElement') ||
        is(current, 'bpmn:DataInput') ||
        is(current, 'bpmn:DataOutput'))
    )
  ) {
    current = current.$parent;
  }
  return current ?? element;
}
