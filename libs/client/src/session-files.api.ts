import type { Client } from 'openapi-fetch';
import { call, type CallOptions } from './api-call';
import type { SessionFile, SessionFileListing } from './api-types';
import { ValidationFailed } from './client.errors';
import type { paths } from './generated/openapi';

/** What a file can be written from; a string is sent as UTF-8. */
export type FileContent = Uint8Array | ArrayBuffer | Blob | string;

/**
 * The file's path in the URL, one encoded segment per path segment, so that it
 * reads as the README writes it (`/files/data/in.csv`) through any proxy. A
 * "." or ".." segment cannot be sent at all: the URL standard resolves them
 * (even as %2E) before the request leaves, which would aim it at another
 * route. The service refuses such paths anyway, so they are refused here, in
 * its words.
 */
export const encodeFilePath = (path: string): string => {
  const segments = path.split('/');
  if (segments.some((segment) => segment === '.' || segment === '..'))
    throw new ValidationFailed(['path must not contain "." or ".." segments'], undefined);
  return segments.map(encodeURIComponent).join('/');
};

/** The URL's path for one file; made before the request, so that a refused path throws ValidationFailed, not a failed fetch. */
const filePathSerializer = (path: string) => {
  const encoded = encodeFilePath(path);
  return (pathname: string, params: Record<string, unknown>): string =>
    pathname.replace('{id}', encodeURIComponent(String(params.id))).replace('{path}', encoded);
};

/**
 * The files of a session's working directory, which its cells read and write.
 * Paths are relative, with no "." or ".." segments, backslashes or control
 * characters (ValidationFailed otherwise); a path that is a link, under one,
 * or not a regular file is a Conflict. The service has no route to delete a
 * file: a cell does that (`import os; os.remove("data/in.csv")`).
 */
export class SessionFilesApi {
  constructor(
    private readonly http: Client<paths>,
    private readonly baseUrl: string,
    private readonly sessionId: string,
  ) {}

  /** Writes the file from `content` as it is, making missing directories; resolves with its path and size. */
  async upload(path: string, content: FileContent, { signal }: CallOptions = {}): Promise<SessionFile> {
    return (
      await call(
        this.baseUrl,
        this.http.PUT('/v1/sessions/{id}/files/{path}', {
          params: { path: { id: this.sessionId, path } },
          // The raw bytes, never JSON: the route takes the body as the file whatever its Content-Type.
          body: content as unknown as string,
          bodySerializer: (body: unknown) => body,
          headers: { 'content-type': 'application/octet-stream' },
          pathSerializer: filePathSerializer(path),
          signal,
        }),
      )
    ).data;
  }

  /** The file's bytes. NotFound when there is no such file. */
  async download(path: string, { signal }: CallOptions = {}): Promise<Uint8Array> {
    const { data } = await call(
      this.baseUrl,
      this.http.GET('/v1/sessions/{id}/files/{path}', {
        params: { path: { id: this.sessionId, path } },
        parseAs: 'arrayBuffer',
        pathSerializer: filePathSerializer(path),
        signal,
      }),
    );
    // An empty file comes with Content-Length 0, which openapi-fetch answers with no data at all.
    const bytes: ArrayBuffer | undefined = data;
    return new Uint8Array(bytes ?? new ArrayBuffer(0));
  }

  /** The regular files under the working directory with their sizes; `truncated` when the listing cap left some out. */
  async list({ signal }: CallOptions = {}): Promise<SessionFileListing> {
    return (
      await call(
        this.baseUrl,
        this.http.GET('/v1/sessions/{id}/files', { params: { path: { id: this.sessionId } }, signal }),
      )
    ).data;
  }
}
