import type { FastifyReply } from 'fastify';

/** Just enough of a Fastify reply for a unit test to see what a hook or a filter answered, if anything. */
export class FakeReply {
  statusCode: number | undefined;
  readonly headers: Record<string, string> = {};
  body: unknown;

  /** `sent`: the reply went out already, as when a handler answered before an error. */
  constructor(readonly sent = false) {}

  code(status: number): this {
    this.statusCode = status;
    return this;
  }

  header(name: string, value: string): this {
    this.headers[name] = value;
    return this;
  }

  send(body: unknown): this {
    this.body = body;
    return this;
  }

  get asFastify(): FastifyReply {
    return this as unknown as FastifyReply;
  }
}
