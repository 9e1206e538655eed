import { expectNoSandboxContainers } from './sandbox-containers';

// After every end-to-end test, nothing this service created may still exist.
afterEach(async () => {
  await expectNoSandboxContainers();
}, 20_000);
