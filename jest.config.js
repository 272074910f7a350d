/** Jest runs TypeScript as native ESM through SWC; no build step. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    // packages that ship ESM only but are require()d by CommonJS dependencies (cookie by fastify's inject,
    // content-disposition by @fastify/multipart, min-dash by the element-templates validator); Node 20's require(esm) does not reach jest's loader
    '/node_modules/(cookie|content-disposition|min-dash)/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }],
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022', experimental: { keepImportAttributes: true } },
        module: { type: 'es6' },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(cookie|content-disposition|min-dash)/)'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/engine/**/*.test.ts', '<rootDir>/api/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/data/'],
  testTimeout: 60000,
};
