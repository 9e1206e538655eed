// @nestjs/swagger builds its UI module with createRequire(import.meta.url), which
// does not survive Jest's CommonJS transform; its decorators only document the
// DTO, so no-ops stand in for them here.
jest.mock('@nestjs/swagger', () => ({
  ApiProperty: () => () => undefined,
  ApiPropertyOptional: () => () => undefined,
}));

import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { CreateExecutionDto } from '../executions/dto/create-execution.dto';
import { validationMessages } from './validation-messages';

// The same options the global ValidationPipe uses.
const OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true };

const messagesFor = async (body: object): Promise<string[]> =>
  validationMessages(await validate(plainToInstance(CreateExecutionDto, body), OPTIONS));

describe('validationMessages', () => {
  it('gives no messages for a valid request', async () => {
    const body = {
      code: 'print(1)',
      environment: 'default',
      stdin: '',
      args: ['a'],
      files: [{ path: 'in.txt', content: 'aGk=', encoding: 'base64' }],
      limits: { timeoutMs: 1000, memoryMb: 64, cpus: 0.5, pids: 16, outputBytes: 1024 },
      network: false,
    };
    expect(await messagesFor(body)).toEqual([]);
  });

  it('names a missing top-level field', async () => {
    expect(await messagesFor({})).toEqual(['code should not be null or undefined', 'code must be a string']);
  });

  it('names a top-level field of the wrong type', async () => {
    expect(await messagesFor({ code: 1 })).toEqual(['code must be a string']);
  });

  it('says an unknown top-level field should not exist', async () => {
    expect(await messagesFor({ code: 'x', evil: 1 })).toEqual(['evil should not exist']);
  });

  it('prefixes a nested limit with its parent', async () => {
    const messages = await messagesFor({ code: 'x', limits: { memoryMb: 'abc' } });
    expect(messages).toHaveLength(2);
    expect(messages).toEqual(
      expect.arrayContaining(['limits.memoryMb must be an integer number', 'limits.memoryMb must not be less than 32']),
    );
  });

  it('names each bad limit and an unknown one', async () => {
    const messages = await messagesFor({ code: 'x', limits: { pids: 2, cpus: 0, extra: 1 } });
    expect(messages.sort()).toEqual([
      'limits.cpus must not be less than 0.01',
      'limits.extra should not exist',
      'limits.pids must not be less than 8',
    ]);
  });

  it('says an unknown field inside a file should not exist, with its index', async () => {
    expect(await messagesFor({ code: 'x', files: [{ path: 'a', content: 'b', foo: 1 }] })).toEqual([
      'files.0.foo should not exist',
    ]);
  });

  it('uses the index of the file that is wrong', async () => {
    const files = [
      { path: 'a', content: 'b' },
      { path: 'c', content: 'd' },
      { path: 3, content: 'e' },
    ];
    expect(await messagesFor({ code: 'x', files })).toEqual(['files.2.path must be a string']);
  });

  it('names a bad encoding with its full path', async () => {
    expect(await messagesFor({ code: 'x', files: [{ path: 'a', content: 'b', encoding: 'hex' }] })).toEqual([
      'files.0.encoding must be one of the following values: utf8, base64',
    ]);
  });

  it('puts the path in front of an "each value" message', async () => {
    expect(await messagesFor({ code: 'x', args: [1, 'a'] })).toEqual(['args: each value in args must be a string']);
  });

  it('puts the path in front of a nested message for an array element that is not an object', async () => {
    expect(await messagesFor({ code: 'x', files: ['x'] })).toEqual([
      'files.0: each value in nested property files must be either object or array',
    ]);
  });

  it('keeps a custom message that already starts with the field', async () => {
    expect(await messagesFor({ code: 'x', environment: 'BAD!' })).toEqual([
      'environment must match [a-z0-9][a-z0-9-]{0,62}',
    ]);
  });

  it('reports problems in several places at once', async () => {
    const messages = await messagesFor({
      code: 'x',
      network: 'yes',
      files: [{ path: 'a', content: 'b', nested: {} }],
      limits: { pids: 2 },
    });
    expect(messages.sort()).toEqual([
      'files.0.nested should not exist',
      'limits.pids must not be less than 8',
      'network must be a boolean value',
    ]);
  });

  it('builds paths from a parent passed in', () => {
    const error = Object.assign(new ValidationError(), {
      property: 'x',
      constraints: { isInt: 'x must be an integer number', whitelistValidation: 'property x should not exist' },
      children: [],
    });
    const messages = validationMessages([error], 'outer.3');
    expect(messages).toEqual(['outer.3.x must be an integer number', 'outer.3.x should not exist']);
  });
});
