export * from './relative-path';
export * from './runner-protocol';
export * from './runner-output';
export * from './sandbox-labels';
export * from './container-spec';
export * from './container-runtime';
export * from './runner-ready';
export * from './sandbox.module';
