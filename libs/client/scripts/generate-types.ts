import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { documentFromBuiltApi, GENERATED_TYPES_PATH, renderTypes } from './openapi-types';

/**
 * Writes src/generated/openapi.ts from the API's OpenAPI document, or with
 * --check, exits 1 when the file differs from what the document gives.
 * --from-url <url> reads the document from a running service instead of the
 * API built in dist/.
 */
const main = async (argv: string[]): Promise<void> => {
  const check = argv.includes('--check');
  const urlAt = argv.indexOf('--from-url');
  const document = urlAt >= 0 ? await (await fetch(argv[urlAt + 1])).json() : documentFromBuiltApi();
  const types = await renderTypes(document as object);
  const target = relative(process.cwd(), GENERATED_TYPES_PATH);
  if (!check) {
    writeFileSync(GENERATED_TYPES_PATH, types);
    process.stdout.write(`wrote ${target}\n`);
    return;
  }
  if (readFileSync(GENERATED_TYPES_PATH, 'utf8') !== types) {
    process.stderr.write(`${target} differs from the OpenAPI document: run \`npm run build\` in libs/client and commit the result\n`);
    process.exit(1);
  }
  process.stdout.write(`${target} matches the OpenAPI document\n`);
};

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`generate-types: ${(error as Error).message ?? error}\n`);
  process.exit(1);
});
