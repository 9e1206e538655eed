import { DEFAULT_ENVIRONMENT, ENVIRONMENT_NAME, EnvironmentSpec, EnvironmentSpecInput } from './environment-spec';

/*
 * Package strings end up in a Dockerfile's RUN lines, so each one must match
 * its ecosystem's grammar, narrowed to a subset with no whitespace, quotes,
 * shell metacharacters, option dashes, URLs, paths or markers. The renderer
 * also single-quotes every string: with these character sets a quote can
 * never be closed early, and the renderer checks the rules again itself.
 */

// pip, PEP 508 without URLs and markers: name, optional [extras], optional PEP 440 specifiers.
const PIP_NAME = '[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98}[A-Za-z0-9])?';
const PIP_SPECIFIER = '(?:===|~=|==|!=|<=|>=|<|>)[A-Za-z0-9][A-Za-z0-9.*+!_-]{0,63}';
export const PIP_REQUIREMENT = new RegExp(
  `^${PIP_NAME}(?:\\[${PIP_NAME}(?:,${PIP_NAME}){0,15}\\])?(?:${PIP_SPECIFIER}(?:,${PIP_SPECIFIER}){0,7})?$`,
);

// conda MatchSpec, the common forms: name, name=version[=build], name<op>version[,<op>version].
const CONDA_NAME = '[a-z0-9_][a-z0-9_.-]{0,99}';
const CONDA_VERSION = '[A-Za-z0-9*][A-Za-z0-9_.*+!]{0,63}';
const CONDA_BUILD = '[A-Za-z0-9_*][A-Za-z0-9_.*]{0,63}';
const CONDA_CONSTRAINT = `(?:==|!=|>=|<=|~=|>|<)${CONDA_VERSION}`;
export const CONDA_PACKAGE = new RegExp(
  `^${CONDA_NAME}(?:=${CONDA_VERSION}(?:=${CONDA_BUILD})?|${CONDA_CONSTRAINT}(?:,${CONDA_CONSTRAINT}){0,7})?$`,
);

// Debian policy: names are lowercase alphanumerics and + - . (two or more, starting alphanumeric);
// a version is [epoch:]upstream[-revision], upstream starting with a digit.
export const APT_PACKAGE = /^[a-z0-9][a-z0-9+.-]{1,99}(?:=(?:[0-9]{1,9}:)?[0-9][A-Za-z0-9.+~-]{0,127})?$/;

// Channel names only: a URL would let a spec point a build at any host.
export const CONDA_CHANNEL = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const PYTHON_VERSION = /^3\.(?:[0-9]|[1-9][0-9])$/;

export const MAX_PACKAGES = 200;
export const MAX_CHANNELS = 8;
const MAX_STRING = 256;

type ListField = 'conda' | 'pip' | 'apt' | 'channels';

const RULES: Record<ListField, { pattern: RegExp; max: number; describe: string; key: (value: string) => string }> = {
  pip: {
    pattern: PIP_REQUIREMENT,
    max: MAX_PACKAGES,
    describe:
      'a pip requirement: a name, optional [extras] and optional version specifiers such as ==1.2 or >=1,<2; no spaces, options, URLs, paths or markers',
    // PEP 503: names compare case-insensitively, with runs of - _ . as one.
    key: (value) =>
      value
        .split(/[[=!<>~]/)[0]
        .toLowerCase()
        .replace(/[-_.]+/g, '-'),
  },
  conda: {
    pattern: CONDA_PACKAGE,
    max: MAX_PACKAGES,
    describe:
      'a conda package: a lowercase name, optionally =version[=build] or constraints such as >=1.2,<2; no spaces, channels or URLs',
    key: (value) => value.split(/[=!<>~]/)[0],
  },
  apt: {
    pattern: APT_PACKAGE,
    max: MAX_PACKAGES,
    describe: 'a Debian package: a lowercase name of letters, digits and + - ., optionally =version',
    key: (value) => value.split('=')[0],
  },
  channels: {
    pattern: CONDA_CHANNEL,
    max: MAX_CHANNELS,
    describe: 'a conda channel name such as conda-forge (names only, no URLs)',
    key: (value) => value,
  },
};

const shown = (value: string): string => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);

const listProblems = (field: ListField, values: readonly string[]): string[] => {
  const rule = RULES[field];
  const problems: string[] = [];
  if (values.length > rule.max) problems.push(`${field} must have at most ${rule.max} entries`);
  const seen = new Map<string, number>();
  values.forEach((value, i) => {
    if (typeof value !== 'string') return void problems.push(`${field}.${i} must be a string`);
    if (value.length > MAX_STRING || !rule.pattern.test(value)) {
      return void problems.push(`${field}.${i} must be ${rule.describe}; got ${shown(value)}`);
    }
    const key = rule.key(value);
    const earlier = seen.get(key);
    if (earlier !== undefined)
      problems.push(`${field}.${i} lists ${key} again (as ${field}.${earlier} did); list each once`);
    else seen.set(key, i);
  });
  return problems;
};

/**
 * Every problem with a spec, each message starting with the field it is
 * about. Empty when the spec is acceptable. Types are assumed checked
 * already (strings and arrays of strings), as the API's DTO does.
 */
export const specProblems = (input: EnvironmentSpecInput, name?: string): string[] => {
  const problems: string[] = [];
  const lists = {
    conda: input.conda ?? [],
    pip: input.pip ?? [],
    apt: input.apt ?? [],
    channels: input.channels ?? [],
  };
  for (const field of Object.keys(lists) as ListField[]) problems.push(...listProblems(field, lists[field]));
  if (!lists.conda.length && !lists.pip.length && !lists.apt.length) {
    problems.push('conda, pip or apt must list at least one package');
  }
  if (lists.channels.length && !lists.conda.length)
    problems.push('channels is only used with conda packages; list some or drop channels');
  lists.conda.forEach((value, i) => {
    if (typeof value === 'string' && RULES.conda.key(value) === 'python') {
      problems.push(`conda.${i} must not be python: ask for the interpreter through the "python" field`);
    }
  });
  if (input.python !== undefined && input.python !== null && !PYTHON_VERSION.test(input.python)) {
    problems.push(`python must be a version like 3.11; got ${shown(String(input.python))}`);
  }
  const base = input.base ?? DEFAULT_ENVIRONMENT;
  if (!ENVIRONMENT_NAME.test(base)) problems.push(`base must match ${ENVIRONMENT_NAME.source}`);
  else if (base === name) problems.push('base must name another environment, not this one');
  return problems;
};

/** The canonical form: absent lists become empty, package lists are sorted (their order means nothing), channels keep their priority order. */
export const normalizeSpec = (input: EnvironmentSpecInput): EnvironmentSpec => {
  const sorted = (values: string[] | undefined) => [...(values ?? [])].sort();
  return {
    python: input.python ?? null,
    conda: sorted(input.conda),
    channels: [...(input.channels ?? [])],
    pip: sorted(input.pip),
    apt: sorted(input.apt),
    base: input.base ?? DEFAULT_ENVIRONMENT,
  };
};

export class InvalidSpecError extends Error {}

/** For code that renders a spec read back from storage: it is checked again, never trusted. */
export const assertValidSpec = (spec: EnvironmentSpec): void => {
  const problems = specProblems(spec);
  if (problems.length) throw new InvalidSpecError(`invalid environment spec: ${problems.join('; ')}`);
};
