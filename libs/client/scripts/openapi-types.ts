import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';

const ROOT = join(__dirname, '..', '..', '..');
const API_DOCUMENT_CLI = join(ROOT, 'dist', 'apps', 'api', 'src', 'openapi.cli.js');

export const GENERATED_TYPES_PATH = join(__dirname, '..', 'src', 'generated', 'openapi.ts');

const HEADER = `/**
 * Generated from the service's OpenAPI document (GET /docs-json) by
 * libs/client/scripts/generate-types.ts: do not edit. \`npm run build\` in
 * libs/client writes it again; a test fails when it differs from the document
 * the running service serves.
 */

`;

/** The TypeScript types openapi-typescript makes of a document: paths, components and operations. */
export const renderTypes = async (document: object): Promise<string> => HEADER + astToString(await openapiTS(document as OpenAPI3, { defaultNonNullable: false }));

/** The document of the API as built in dist/, made without Redis or Docker (see apps/api/src/openapi.cli.ts). */
export const documentFromBuiltApi = (): object => {
  try {
    return JSON.parse(execFileSync(process.execPath, [API_DOCUMENT_CLI], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }));
  } catch (error) {
    throw new Error(`could not make the OpenAPI document with ${API_DOCUMENT_CLI} (run \`npm run build\` at the repository root first): ${(error as Error).message}`);
  }
};
