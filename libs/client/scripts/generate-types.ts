import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';

const ROOT = join(__dirname, '..', '..', '..');
const API_DOCUMENT_CLI = join(ROOT, 'dist', 'apps', 'api', 'src', 'openapi.cli.js');
const GENERATED_TYPES_PATH = join(__dirname, '..', 'src', 'generated', 'openapi.ts');

const USAGE = `Writes src/generated/openapi.ts from the service's OpenAPI document.

  tsx scripts/generate-types.ts [--from-url URL | --from-file FILE] [--check | --print]

The document comes from the API built in dist/ (made without Redis or Docker) unless
--from-url (a running service's /docs-json) or --from-file says otherwise.
--check exits 1 when the file differs from the document; --print writes the types to stdout.`;

const HEADER = `/**
 * Generated from the service's OpenAPI document (GET /docs-json) by
 * libs/client/scripts/generate-types.ts: do not edit. \`npm run build\` writes
 * it again; a test fails when the committed file differs from the document
 * the running service serves.
 */

`;

// Fields with a default (environment, encoding, base) stay optional in requests.
const renderTypes = async (document: object): Promise<string> =>
  HEADER + astToString(await openapiTS(document as OpenAPI3, { defaultNonNullable: false }));

const documentFromBuiltApi = (): object => {
  try {
    return JSON.parse(
      execFileSync(process.execPath, [API_DOCUMENT_CLI], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }),
    ) as object;
  } catch (error) {
    throw new Error(
      `could not make the OpenAPI document with ${API_DOCUMENT_CLI} (build the API first): ${(error as Error).message}`,
      { cause: error },
    );
  }
};

const main = async (): Promise<void> => {
  const { values } = parseArgs({
    options: {
      'from-url': { type: 'string' },
      'from-file': { type: 'string' },
      check: { type: 'boolean', default: false },
      print: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const document: object = values['from-url']
    ? ((await (await fetch(values['from-url'])).json()) as object)
    : values['from-file']
      ? (JSON.parse(readFileSync(values['from-file'], 'utf8')) as object)
      : documentFromBuiltApi();
  const types = await renderTypes(document);
  if (values.print) return void process.stdout.write(types);
  const target = relative(process.cwd(), GENERATED_TYPES_PATH);
  const current = existsSync(GENERATED_TYPES_PATH) ? readFileSync(GENERATED_TYPES_PATH, 'utf8') : '';
  if (values.check) {
    if (current !== types) {
      process.stderr.write(
        `${target} differs from the OpenAPI document: run \`npm run build\` and commit the result\n`,
      );
      process.exit(1);
    }
    return void process.stdout.write(`${target} matches the OpenAPI document\n`);
  }
  if (current === types) return;
  writeFileSync(GENERATED_TYPES_PATH, types);
  process.stdout.write(`wrote ${target}: the API changed; commit it with the change\n`);
};

main().catch((error) => {
  process.stderr.write(`generate-types: ${(error as Error).message ?? error}\n`);
  process.exit(1);
});
