import { BuildNetworkResolver } from './build-network.resolver';

/** An engine with the given networks; `down` makes it fail the way an unreachable engine does. */
const engine = (networks: string[], state = { down: false, asked: 0 }) => ({
  state,
  networkExists: async (name: string) => {
    state.asked += 1;
    if (state.down) throw new Error('connect ENOENT /var/run/docker.sock');
    return networks.includes(name);
  },
});

const resolverFor = (runtime: ReturnType<typeof engine>, configured: string) =>
  new BuildNetworkResolver(runtime as never, { get: () => configured } as never);

describe('BuildNetworkResolver', () => {
  it('uses the bridge network when the engine has one', async () => {
    expect(await resolverFor(engine(['bridge', 'host', 'none']), 'auto').resolve()).toEqual({ name: 'bridge' });
  });

  it('falls back to the host network on an engine started with --bridge=none', async () => {
    expect(await resolverFor(engine(['host', 'none']), 'auto').resolve()).toEqual({ name: 'host' });
  });

  it('uses a configured network that exists', async () => {
    expect(await resolverFor(engine(['host', 'none', 'builds']), 'builds').resolve()).toEqual({ name: 'builds' });
  });

  it('refuses builds, naming the setting, when the configured network does not exist', async () => {
    const network = await resolverFor(engine(['host', 'none']), 'bridge').resolve();
    expect(network).toEqual({ refusal: expect.stringContaining('"bridge" (ENV_BUILD_NETWORK) does not exist') });
  });

  it('asks the engine once, but again after the engine failed to answer', async () => {
    const state = { down: true, asked: 0 };
    const resolver = resolverFor(engine(['bridge'], state), 'auto');
    await expect(resolver.resolve()).rejects.toThrow('ENOENT');
    state.down = false;
    expect(await resolver.resolve()).toEqual({ name: 'bridge' });
    await resolver.resolve();
    expect(state.asked).toBe(2);
  });
});
