/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Transpile only (type-checking is `npm run typecheck`): ts-jest's isolatedModules mode.
  transform: { '^.+\\.tsx?$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  // The workspace packages are tested from their sources (tsconfig.json maps the same name).
  moduleNameMapper: {
    '^cdk-kinesis-pipeline-runtime$': '<rootDir>/packages/runtime/src/index.ts',
    '^cdk-kinesis-pipeline-runtime/testing$': '<rootDir>/packages/runtime/src/testing/index.ts',
  },
  snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.ts'],
  // Two cores: one worker per core keeps CDK synths and the emulator from starving each other.
  maxWorkers: 2,
  testTimeout: 60_000,
};
