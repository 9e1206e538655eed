/** Unit specs sit beside the code; end-to-end specs drive HTTP against real Redis and Docker. */
const shared = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@sps/config$': '<rootDir>/libs/config/src',
    '^@sps/queue$': '<rootDir>/libs/queue/src',
    '^@sps/sandbox$': '<rootDir>/libs/sandbox/src',
    '^@sps/environments$': '<rootDir>/libs/environments/src',
    '^@sps/logging$': '<rootDir>/libs/logging/src',
    '^@sps/client$': '<rootDir>/libs/client/src',
    '^@sps/redis$': '<rootDir>/libs/redis/src',
    '^@sps/runtime$': '<rootDir>/libs/runtime/src',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
    // NestJS 12 ships ES modules only; Node loads them natively, Jest needs them as CommonJS.
    '^.+/node_modules/.+\\.js$': [
      'babel-jest',
      {
        plugins: [
          '@babel/plugin-transform-modules-commonjs',
          '@babel/plugin-transform-dynamic-import',
          'babel-plugin-transform-import-meta',
        ],
        babelrc: false,
        configFile: false,
      },
    ],
  },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|file-type|load-esm|uid|strtok3|token-types|@tokenizer|uint8array-extras)/)',
  ],
};

module.exports = {
  testTimeout: 60000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/no-leftover-containers.ts'],
    },
  ],
};
