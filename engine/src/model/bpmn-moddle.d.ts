/** bpmn-moddle ships no typings for its main entry; moddle.ts wraps it in typed helpers. */
declare module 'bpmn-moddle' {
  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>, options?: Record<string, unknown>);
    fromXML(
      xml: string,
      typeName?: string,
    ): Promise<{ rootElement: any; warnings: any[]; references: any[]; elementsById: Record<string, any> }>;
    toXML(element: unknown, options?: { format?: boolean; preamble?: boolean }): Promise<{ xml: string }>;
    create(type: string, attributes?: Record<string, unknown>): any;
  }
}
