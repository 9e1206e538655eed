import { BuildOutput } from './build-output';

const read = (chunks: string[]) => {
  const lines: string[] = [];
  const output = new BuildOutput((line) => lines.push(line));
  for (const chunk of chunks) output.push(chunk);
  output.end();
  return { lines, output };
};

describe('BuildOutput', () => {
  it('turns stream text into lines, whatever the JSON was split into', () => {
    const messages = [
      { stream: 'Step 1/2 : FROM x\n' },
      { stream: ' ---> abc\nStep 2/2 : RUN true' },
      { stream: '\n' },
      { aux: { ID: 'sha256:feed' } },
    ];
    const text = messages.map((m) => `${JSON.stringify(m)}\r\n`).join('');
    for (const size of [1, 7, text.length]) {
      const chunks = text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!;
      const { lines, output } = read(chunks);
      expect(lines).toEqual(['Step 1/2 : FROM x', ' ---> abc', 'Step 2/2 : RUN true']);
      expect(output.imageId).toBe('sha256:feed');
      expect(output.error).toBeNull();
    }
  });

  it("reads a push's manifest digest", () => {
    const { output } = read([
      `${JSON.stringify({ status: 'Pushed', id: 'a1b2' })}\n`,
      `${JSON.stringify({ progressDetail: {}, aux: { Tag: 'six-abc', Digest: 'sha256:beef', Size: 1156 } })}\n`,
    ]);
    expect(output.digest).toBe('sha256:beef');
    expect(output.failure).toBeNull();
  });

  it('strips the colour codes around stderr and drops empty lines', () => {
    const { lines } = read([
      `${JSON.stringify({ stream: '\u001b[91mE: Unable to locate package nope\n\u001b[0m\n\n' })}\n`,
    ]);
    expect(lines).toEqual(['E: Unable to locate package nope']);
  });

  it('splits progress lines written with carriage returns', () => {
    expect(read([`${JSON.stringify({ stream: '10%\r50%\r100%\n' })}\n`]).lines).toEqual(['10%', '50%', '100%']);
  });

  it('keeps the error, and shows it as a line too', () => {
    const error = "The command '/bin/sh -c apt-get install nope' returned a non-zero code: 100";
    const { lines, output } = read([
      `${JSON.stringify({ stream: 'working\n' })}\n`,
      `${JSON.stringify({ errorDetail: { code: 100, message: error }, error })}\n`,
    ]);
    expect(output.error).toBe(error);
    expect(output.imageId).toBeNull();
    expect(lines).toEqual(['working', error]);
  });

  it("puts the failed step's last line before the engine's error, skipping the builder's own lines", () => {
    const error = "The command '/bin/sh -c apt-get install nope' returned a non-zero code: 100";
    const stream =
      'Step 5/9 : RUN apt-get install nope\n ---> Running in 1234\nReading package lists...\n\u001b[91mE: Unable to locate package nope\n\u001b[0m';
    const { output } = read([
      `${JSON.stringify({ stream })}\n`,
      `${JSON.stringify({ errorDetail: { message: error }, error })}\n`,
    ]);
    expect(output.failure).toBe(`E: Unable to locate package nope (${error})`);
  });

  it('has no failure when the build succeeded, and only the error when nothing came before it', () => {
    expect(read([`${JSON.stringify({ stream: 'Successfully built feed\n' })}\n`]).output.failure).toBeNull();
    expect(read([`${JSON.stringify({ error: 'no such image' })}\n`]).output.failure).toBe('no such image');
  });

  it('keeps a last line that has no newline, and text that is not JSON', () => {
    expect(read(['not json\n', JSON.stringify({ stream: 'tail' })]).lines).toEqual(['not json', 'tail']);
  });
});
