/** The parts of bpmnlint and its Camunda plugin this module uses (the packages ship no usable ESM types). */
declare module 'bpmnlint' {
  const bpmnlint: {
    Linter: new (options: { config: unknown; resolver: unknown }) => {
      lint(definitions: unknown): Promise<Record<string, { id?: string; message: string; category: string }[]>>;
    };
  };
  export default bpmnlint;
}
declare module 'bpmnlint/lib/resolver/static-resolver.js' {
  const StaticResolver: new (cache: Record<string, unknown>) => {
    resolveRule(pkg: string, name: string): unknown;
    resolveConfig(pkg: string, name: string): unknown;
  };
  export default StaticResolver;
}
declare module 'bpmnlint-plugin-camunda-compat' {
  const plugin: {
    configs: Record<string, { rules: Record<string, string | [string, Record<string, unknown>]> }>;
    rules: Record<string, string>;
  };
  export default plugin;
}
declare module 'bpmnlint-plugin-camunda-compat/rules/*' {
  const rule: unknown;
  export default rule;
}
declare module 'bpmnlint/rules/*' {
  const rule: unknown;
  export default rule;
}
