/** The part of @bpmn-io/element-templates-validator the tests use (the package ships no types). */
declare module '@bpmn-io/element-templates-validator' {
  export interface TemplateValidation {
    readonly valid: boolean;
    readonly errors?: readonly { readonly message: string; readonly dataPath?: string }[];
  }
  export function validateZeebe(template: unknown): TemplateValidation;
}
