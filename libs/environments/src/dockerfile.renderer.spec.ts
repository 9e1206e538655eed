import { datascienceSpec } from './builtin-environments';
import { computeSpecHash, renderDockerfile } from './dockerfile.renderer';
import type { EnvironmentSpec } from './environment-spec';
import { normalizeSpec } from './environment-spec.rules';

const spec = (fields: Partial<EnvironmentSpec>): EnvironmentSpec => normalizeSpec(fields);
const DEFAULT_BASE = { name: 'default', specHash: null };

/** The RUN/COPY/ENV/... instructions, with continuation lines joined and comments dropped. */
const instructions = (dockerfile: string): string[] =>
  dockerfile
    .replace(/ ?\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => line && !line.startsWith('#'));

describe('renderDockerfile', () => {
  it('renders Debian packages', () => {
    expect(renderDockerfile(spec({ apt: ['python3-numpy', 'libgomp1=12.2.0-14'] }))).toBe(
      [
        '# Rendered by SimplePySandbox from an environment spec: the same spec always renders this same file.',
        'ARG BASE_IMAGE',
        'FROM ${BASE_IMAGE}',
        'USER root',
        "# Debian packages, from the archive in the base image's apt sources (a local Debian mirror works offline)",
        'RUN apt-get update \\',
        " && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends 'libgomp1=12.2.0-14' 'python3-numpy' \\",
        ' && apt-get clean && rm -rf /var/lib/apt/lists/*',
        '# No setuid binaries: no-new-privileges already neuters them, and this removes any the packages brought',
        'RUN find / -xdev -type f -perm /6000 -exec chmod a-s {} + || true',
        'WORKDIR /sandbox',
        'USER 10001:10001',
        '',
      ].join('\n'),
    );
  });

  it('renders pip packages', () => {
    const dockerfile = renderDockerfile(spec({ pip: ['requests==2.32.3', 'uvicorn[standard]>=0.30,<1'] }));
    expect(dockerfile).toMatchSnapshot();
    const steps = instructions(dockerfile);
    // Debian's python3 is externally managed (PEP 668) and has no pip of its own.
    expect(steps).toContain(
      'RUN python3 -m pip --version >/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-pip && apt-get clean && rm -rf /var/lib/apt/lists/*)',
    );
    const install = steps.find((s) => s.includes('pip install'))!;
    expect(install).toMatch(/^RUN PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install /);
    expect(install).toContain("--find-links /tmp/sps-wheelhouse 'requests==2.32.3' 'uvicorn[standard]>=0.30,<1'");
    // The wheelhouse and the index settings come from the worker, never from the spec.
    expect(steps).toEqual(
      expect.arrayContaining(['COPY wheelhouse/ /tmp/sps-wheelhouse/', 'ARG PIP_INDEX_URL', 'ARG PIP_NO_INDEX']),
    );
    expect(steps.indexOf('ARG PIP_NO_INDEX')).toBeLessThan(steps.indexOf(install));
  });

  it('renders conda packages with micromamba and recompiles the runner for the conda python', () => {
    const dockerfile = renderDockerfile(
      spec({ python: '3.12', conda: ['numpy=1.26', 'pandas'], channels: ['conda-forge', 'bioconda'] }),
    );
    expect(dockerfile).toMatchSnapshot();
    const steps = instructions(dockerfile);
    const create = steps.find((s) => s.startsWith('RUN micromamba create'))!;
    expect(create).toContain("--override-channels --channel 'conda-forge' --channel 'bioconda'");
    expect(create).toContain("'python=3.12' 'numpy=1.26' 'pandas'");
    const path = steps.indexOf('ENV PATH=/opt/conda/envs/sandbox/bin:$PATH');
    const recompile = steps.findIndex((s) => s.includes("py_compile.compile('/opt/sandbox/runner.py'"));
    expect(path).toBeGreaterThan(steps.indexOf(create));
    // The runner's bytecode only loads in the interpreter it was compiled for.
    expect(recompile).toBeGreaterThan(path);
    // The interpreter is conda's, so no check of the base image's python.
    expect(dockerfile).not.toContain('sys.version_info');
  });

  it('uses conda-forge when no channel is given, and an unpinned python when no version is', () => {
    const create = instructions(renderDockerfile(spec({ conda: ['numpy'] }))).find((s) =>
      s.startsWith('RUN micromamba create'),
    )!;
    expect(create).toContain("--override-channels --channel 'conda-forge'");
    expect(create).toContain("'python' 'numpy'");
  });

  it('adds pip to the conda environment when the spec has pip packages too, and installs them after conda', () => {
    const steps = instructions(renderDockerfile(spec({ conda: ['numpy'], pip: ['requests'] })));
    const create = steps.findIndex((s) => s.startsWith('RUN micromamba create'));
    expect(steps[create]).toContain("'python' 'numpy' 'pip'");
    expect(steps.findIndex((s) => s.includes('pip install'))).toBeGreaterThan(create);
  });

  it('checks the base image python when a version is asked for without conda', () => {
    const steps = instructions(renderDockerfile(spec({ python: '3.11', apt: ['curl'] })));
    expect(steps[3]).toContain('want = "3.11"');
    expect(steps[3]).toContain('sys.exit(0 if have == want else');
  });

  it('installs as root and always ends as the sandbox user in /sandbox, keeping the base CMD', () => {
    for (const fields of [
      { apt: ['curl'] },
      { pip: ['x'] },
      { conda: ['x'] },
      datascienceSpec('apt'),
      datascienceSpec('conda'),
    ]) {
      const steps = instructions(renderDockerfile(spec(fields)));
      expect(steps.slice(0, 3)).toEqual(['ARG BASE_IMAGE', 'FROM ${BASE_IMAGE}', 'USER root']);
      expect(steps.slice(-2)).toEqual(['WORKDIR /sandbox', 'USER 10001:10001']);
      expect(steps.some((s) => /^(CMD|ENTRYPOINT)\b/.test(s))).toBe(false);
    }
  });

  it('renders the apt datascience recipe from Debian packages', () => {
    expect(renderDockerfile(spec(datascienceSpec('apt')))).toMatchSnapshot();
  });

  it('renders the same file for the same spec, whatever the order of its packages', () => {
    const a = renderDockerfile(spec({ apt: ['b', 'a'].map((x) => `pkg-${x}`), pip: ['y', 'x'] }));
    const b = renderDockerfile(spec({ pip: ['x', 'y'], apt: ['pkg-a', 'pkg-b'] }));
    expect(a).toBe(b);
  });

  it.each([
    ['pip', { pip: ['numpy; rm -rf /'] }],
    ['apt', { apt: ['$(id)'] }],
    ['conda', { conda: ['`id`'] }],
    ['channels', { conda: ['x'], channels: ['a b'] }],
    ['python', { python: '3.11"; id; "', pip: ['x'] }],
  ])('refuses to render a spec with a bad %s value, even one read back from storage', (_field, fields) => {
    expect(() => renderDockerfile({ ...spec({}), ...fields })).toThrow(/invalid environment spec/);
  });
});

describe('computeSpecHash', () => {
  const dockerfile = renderDockerfile(spec({ apt: ['curl'] }));

  it('is the same for the same Dockerfile and base', () => {
    expect(computeSpecHash(dockerfile, DEFAULT_BASE)).toBe(
      computeSpecHash(renderDockerfile(spec({ apt: ['curl'] })), { ...DEFAULT_BASE }),
    );
    expect(computeSpecHash(dockerfile, DEFAULT_BASE)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes with the spec', () => {
    expect(computeSpecHash(renderDockerfile(spec({ apt: ['curl', 'git'] })), DEFAULT_BASE)).not.toBe(
      computeSpecHash(dockerfile, DEFAULT_BASE),
    );
  });

  it('changes with the base and with the version of the base', () => {
    const onDefault = computeSpecHash(dockerfile, DEFAULT_BASE);
    const onA1 = computeSpecHash(dockerfile, { name: 'a', specHash: '1111111111111111' });
    const onA2 = computeSpecHash(dockerfile, { name: 'a', specHash: '2222222222222222' });
    expect(new Set([onDefault, onA1, onA2]).size).toBe(3);
  });
});
