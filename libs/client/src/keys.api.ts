import type { Client } from 'openapi-fetch';
import { call, type CallOptions } from './api-call';
import type { ApiKey, ApiKeyRequest, CreatedApiKey } from './api-types';
import type { paths } from './generated/openapi';

/** API keys; every call needs an admin key (Forbidden otherwise). */
export class KeysApi {
  constructor(
    private readonly http: Client<paths>,
    private readonly baseUrl: string,
  ) {}

  /** The new key is in `key`, this once: the service keeps only its hash. */
  async create(request: ApiKeyRequest, { signal }: CallOptions = {}): Promise<CreatedApiKey> {
    return (await call(this.baseUrl, this.http.POST('/v1/keys', { body: request, signal }))).data;
  }

  async list({ signal }: CallOptions = {}): Promise<ApiKey[]> {
    return (await call(this.baseUrl, this.http.GET('/v1/keys', { signal }))).data;
  }

  async get(id: string, { signal }: CallOptions = {}): Promise<ApiKey> {
    return (await call(this.baseUrl, this.http.GET('/v1/keys/{id}', { params: { path: { id } }, signal }))).data;
  }

  /** By id or name; the key stops working on its next request. */
  async revoke(id: string, { signal }: CallOptions = {}): Promise<ApiKey> {
    return (await call(this.baseUrl, this.http.DELETE('/v1/keys/{id}', { params: { path: { id } }, signal }))).data;
  }
}
