import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import { adminKey, baseUrl, request } from './support/api-client';

/*
 * The client as it is published: its generated types match what the running
 * service documents, and its built package bundles for a browser and runs
 * there without anything of Node's.
 */

const ROOT = join(__dirname, '..');
const PACKAGE_DIR = join(ROOT, 'libs', 'client');
const TYPES = 'libs/client/src/generated/openapi.ts';

/** The generated types as committed; the working copy where there is no git history (an unpacked tarball). */
const committedTypes = (): string => {
  try {
    return execFileSync('git', ['show', `HEAD:${TYPES}`], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch {
    return readFileSync(join(ROOT, TYPES), 'utf8');
  }
};

/** The types the client's own generator makes of a document (a child process: openapi-typescript is an ES module). */
const typesFrom = (source: string[]): string =>
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(PACKAGE_DIR, 'scripts/generate-types.ts'), ...source, '--print'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    },
  );

describe('the client package', () => {
  describe('generated types', () => {
    let served: any;
    beforeAll(async () => {
      served = (await request('GET', '/docs-json')).body;
    });

    it('come from the document the running service serves at /docs-json, made by the build without Redis or Docker', () => {
      const offline = JSON.parse(
        execFileSync(process.execPath, [join(ROOT, 'dist/apps/api/src/openapi.cli.js')], {
          encoding: 'utf8',
          maxBuffer: 16 * 1024 * 1024,
        }),
      );
      expect(offline).toEqual(served);
    });

    it("as committed, match the running service's document (npm run build writes them again: commit them with any API change)", () => {
      expect(typesFrom(['--from-url', `${baseUrl()}/docs-json`])).toBe(committedTypes());
    });

    it('would show a change of the document as a difference', () => {
      const dir = mkdtempSync(join(tmpdir(), 'sps-openapi-'));
      try {
        const changed = {
          ...served,
          paths: {
            ...served.paths,
            '/v1/added': { get: { operationId: 'added', responses: { 200: { description: 'ok' } } } },
          },
        };
        writeFileSync(join(dir, 'changed.json'), JSON.stringify(changed));
        const types = typesFrom(['--from-file', join(dir, 'changed.json')]);
        expect(types).not.toBe(committedTypes());
        expect(types).toContain('"/v1/added"');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('in a browser', () => {
    const packageJson = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8'));
    const entry = join(PACKAGE_DIR, packageJson.exports['.'].import);

    it('is built with only openapi-fetch as a dependency, and declares its types', () => {
      expect(Object.keys(packageJson.dependencies)).toEqual(['openapi-fetch']);
      expect(existsSync(entry)).toBe(true);
      expect(existsSync(join(PACKAGE_DIR, packageJson.exports['.'].types))).toBe(true);
      expect(existsSync(join(PACKAGE_DIR, packageJson.exports['.'].require))).toBe(true);
    });

    it('bundles for the browser platform, and runs code on the service with nothing of Node in scope', async () => {
      const bundle = await build({
        entryPoints: [entry],
        bundle: true,
        platform: 'browser',
        format: 'iife',
        globalName: 'SimplePySandbox',
        target: ['chrome120', 'firefox120', 'safari17'],
        write: false,
        logLevel: 'silent',
      });
      expect(bundle.errors).toEqual([]);
      const code = bundle.outputFiles[0].text;

      // What a page has, and nothing more: no require, process, Buffer or module.
      const page = createContext({
        fetch,
        Request,
        Response,
        Headers,
        FormData,
        Blob,
        ReadableStream,
        TextDecoder,
        TextEncoder,
        AbortController,
        AbortSignal,
        URL,
        URLSearchParams,
        setTimeout,
        clearTimeout,
        console,
      });
      runInContext(code, page);
      page.config = { baseUrl: baseUrl(), apiKey: adminKey() };
      const result = await runInContext(
        `(async () => {
          const client = new SimplePySandbox.SandboxClient(config);
          const envs = await client.environments.list();
          const result = await client.run('print(6 * 7)');
          let notFound;
          try { await client.get('00000000-0000-4000-8000-000000000000'); } catch (e) { notFound = e instanceof SimplePySandbox.NotFound; }
          return { stdout: result.stdout, envs: envs.map((e) => e.name), notFound, hasProcess: typeof process !== 'undefined' };
        })()`,
        page,
      );
      expect(JSON.parse(JSON.stringify(result))).toEqual({
        stdout: '42\n',
        envs: expect.arrayContaining(['default']),
        notFound: true,
        hasProcess: false,
      });
    });

    it('would fail to bundle anything that needs Node (the check above can fail)', async () => {
      await expect(
        build({
          stdin: { contents: "import { readFileSync } from 'node:fs'; console.log(readFileSync);" },
          bundle: true,
          platform: 'browser',
          write: false,
          logLevel: 'silent',
        }),
      ).rejects.toThrow(/node:fs/);
    });
  });
});
