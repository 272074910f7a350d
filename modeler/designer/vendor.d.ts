/** Typings the browser build needs beside the packages' own: bpmn-moddle's (shared with the engine). */
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an ambient module declaration, not an importable one
/// <reference path="../../engine/src/model/bpmn-moddle.d.ts" />

declare module 'bpmn-js-properties-panel' {
  export const BpmnPropertiesPanelModule: any;
  export const BpmnPropertiesProviderModule: any;
  export const ZeebePropertiesProviderModule: any;
}
declare module 'bpmn-js-element-templates' {
  export const CloudElementTemplatesPropertiesProviderModule: any;
}
declare module 'camunda-bpmn-js-behaviors/lib/camunda-cloud' {
  const module: any;
  export default module;
}
declare module 'bpmn-js-token-simulation' {
  const module: any;
  export default module;
}
declare module 'bpmn-js-bpmnlint' {
  const module: any;
  export default module;
}
declare module 'bpmn-js-differ' {
  export function diff(
    a: unknown,
    b: unknown,
  ): {
    _added: Record<string, unknown>;
    _removed: Record<string, unknown>;
    _changed: Record<string, { attrs: Record<string, { oldValue: unknown; newValue: unknown }> }>;
    _layoutChanged: Record<string, unknown>;
  };
}
