import { createHash } from 'node:crypto';
import type { BaseReference, EnvironmentSpec } from './environment-spec';
import { assertValidSpec } from './environment-spec.rules';

/** The directory of the build context that holds the worker's wheelhouse (possibly empty). */
export const WHEELHOUSE_DIR = 'wheelhouse';
/** Where conda environments live inside the image. */
export const CONDA_PREFIX = '/opt/conda/envs/sandbox';
const DEFAULT_CHANNELS = ['conda-forge'];
const SANDBOX_USER = '10001:10001';

// Validated strings never contain a quote; this guards the renderer against a future rule that lets one through.
const quote = (value: string): string => {
  if (!/^[A-Za-z0-9._+=<>!~*,:[\]-]+$/.test(value)) throw new Error(`refusing to render ${JSON.stringify(value)}`);
  return `'${value}'`;
};

const quoted = (values: string[]): string => values.map(quote).join(' ');

const aptGetInstall = (packages: string): string =>
  `apt-get update \\\n && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages} \\\n && apt-get clean && rm -rf /var/lib/apt/lists/*`;

const pythonCheck = (version: string): string[] => [
  '# The interpreter comes from the base image: stop early unless it is the version the spec asks for',
  `RUN python3 -c 'import sys; want = "${version}"; have = "%d.%d" % sys.version_info[:2]; ` +
    `sys.exit(0 if have == want else "the spec asks for python " + want + " but the base image has " + have)'`,
];

const aptSection = (packages: string[]): string[] => [
  "# Debian packages, from the archive in the base image's apt sources (a local Debian mirror works offline)",
  `RUN ${aptGetInstall(quoted(packages))}`,
];

const condaSection = (spec: EnvironmentSpec): string[] => {
  const packages = [spec.python ? `python=${spec.python}` : 'python', ...spec.conda];
  // pip packages go into the conda environment, so it needs its own pip.
  if (spec.pip.length && !spec.conda.some((p) => p.split(/[=!<>~]/)[0] === 'pip')) packages.push('pip');
  const channels = spec.channels.length ? spec.channels : DEFAULT_CHANNELS;
  return [
    '# conda packages: micromamba (one static binary) creates the environment; its URL and checksum are worker settings',
    'ARG MICROMAMBA_URL',
    'ARG MICROMAMBA_SHA256',
    `RUN command -v curl >/dev/null 2>&1 \\\n || (${aptGetInstall('ca-certificates curl')})`,
    'RUN curl -fsSL --retry 3 -o /usr/local/bin/micromamba "$MICROMAMBA_URL" \\\n' +
      ' && if [ -n "$MICROMAMBA_SHA256" ]; then echo "$MICROMAMBA_SHA256  /usr/local/bin/micromamba" | sha256sum -c -; fi \\\n' +
      ' && chmod 0755 /usr/local/bin/micromamba',
    'ENV MAMBA_ROOT_PREFIX=/opt/conda',
    `RUN micromamba create --yes --prefix ${CONDA_PREFIX} --override-channels ${channels.map((c) => `--channel ${quote(c)}`).join(' ')} \\\n` +
      `    ${quoted(packages)} \\\n` +
      ' && micromamba clean --all --yes \\\n' +
      ' && chmod -R a+rX,go-w /opt/conda',
    `ENV PATH=${CONDA_PREFIX}/bin:$PATH`,
    "# The runner's .pyc is bytecode for the base image's python: compile it again for the conda python, now first on PATH",
    `RUN python3 -c "import py_compile; py_compile.compile('/opt/sandbox/runner.py', cfile='/opt/sandbox/runner.pyc', doraise=True)" \\\n` +
      ' && chmod a+r /opt/sandbox/runner.pyc',
  ];
};

const pipSection = (packages: string[]): string[] => [
  "# Debian's python3 comes without pip: take python3-pip from the Debian archive when it is missing",
  `RUN python3 -m pip --version >/dev/null 2>&1 \\\n || (${aptGetInstall('python3-pip')})`,
  "# The worker's wheelhouse (ENV_PIP_WHEELHOUSE, empty when unset) arrives in the build context, its index settings as build args",
  `COPY ${WHEELHOUSE_DIR}/ /tmp/sps-wheelhouse/`,
  'ARG PIP_INDEX_URL',
  'ARG PIP_NO_INDEX',
  '# PEP 668: Debian marks its python3 as externally managed; this image is the environment, so pip may install into it',
  'RUN PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir --disable-pip-version-check --no-warn-script-location \\\n' +
    `    --root-user-action=ignore --find-links /tmp/sps-wheelhouse ${quoted(packages)} \\\n` +
    ' && rm -rf /tmp/sps-wheelhouse',
];

/**
 * Renders a spec to the Dockerfile that builds it: a pure function, so the
 * same spec always gives the same file. The base image arrives as the
 * BASE_IMAGE build argument, which keeps the file free of worker settings.
 * Installs run as root; the image ends as the sandbox user, with the base
 * image's CMD (the runner) unchanged.
 */
export const renderDockerfile = (spec: EnvironmentSpec): string => {
  assertValidSpec(spec);
  const lines = [
    '# Rendered by SimplePySandbox from an environment spec: the same spec always renders this same file.',
    'ARG BASE_IMAGE',
    'FROM ${BASE_IMAGE}',
    'USER root',
  ];
  if (spec.python && !spec.conda.length) lines.push(...pythonCheck(spec.python));
  if (spec.apt.length) lines.push(...aptSection(spec.apt));
  if (spec.conda.length) lines.push(...condaSection(spec));
  if (spec.pip.length) lines.push(...pipSection(spec.pip));
  lines.push(
    '# No setuid binaries: no-new-privileges already neuters them, and this removes any the packages brought',
    'RUN find / -xdev -type f -perm /6000 -exec chmod a-s {} + || true',
    'WORKDIR /sandbox',
    `USER ${SANDBOX_USER}`,
  );
  return `${lines.join('\n')}\n`;
};

/**
 * Identifies what a build produces: the Dockerfile and the base it is built
 * on. A changed spec, a changed renderer or a new version of the base all
 * give a new hash, so a new image tag that never disturbs the old one.
 */
export const computeSpecHash = (dockerfile: string, base: BaseReference): string =>
  createHash('sha256')
    .update(dockerfile)
    .update('\0')
    .update(`base=${base.name}@${base.specHash ?? ''}`)
    .digest('hex')
    .slice(0, 16);
