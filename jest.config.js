/** Jest runs TypeScript as native ESM through SWC; no build step. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    // packages that ship ESM only but are require()d by CommonJS dependencies (cookie by fastify's inject,
    // content-disposition by @fastify/multipart, min-dash by the element-templates validator, the @bpmn-io
    // FEEL and moddle helpers by bpmnlint-plugin-camunda-compat); Node 20's require(esm) does not reach jest's loader
    '/node_modules/(cookie|content-disposition|min-dash|@bpmn-io/semver-compat|@bpmn-io/feel-analyzer|@bpmn-io/lezer-feel|@bpmn-io/moddle-utils)/.+\\.js$':
      ['@swc/jest', { module: { type: 'commonjs' } }],
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022', experimental: { keepImportAttributes: true } },
        module: { type: 'es6' },
      },
    ],
  },
  // (also where npm nests them, e.g. bpmnlint-plugin-camunda-compat/node_modules/@bpmn-io/feel-analyzer)
  transformIgnorePatterns: [
    '^(?!.*/node_modules/(cookie|content-disposition|min-dash|@bpmn-io/semver-compat|@bpmn-io/feel-analyzer|@bpmn-io/lezer-feel|@bpmn-io/moddle-utils)/).*/node_modules/',
  ],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/engine/**/*.test.ts', '<rootDir>/api/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/data/'],
  testTimeout: 60000,
};
