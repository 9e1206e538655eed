import { request, run } from './support/api-client';
import { DATASCIENCE_BUILD_MS, datascienceReady } from './support/datascience';
import { pngSize, sessionsOf } from './support/sessions';

/*
 * Rich results from the datascience environment: a pandas DataFrame as HTML,
 * and matplotlib figures as PNG displays, in a session and in a one-shot job.
 * The environment is the built-in recipe, built here unless this host has it.
 */

const sessions = sessionsOf(request);

describe('rich results in the datascience environment', () => {
  beforeAll(datascienceReady, DATASCIENCE_BUILD_MS + 60_000);

  it('gives a DataFrame as text/html, and each figure left open at the end of a cell as a PNG, then closed', async () => {
    const { id } = await sessions.create({ environment: 'datascience', limits: { memoryMb: 512, timeoutMs: 60_000 } });
    try {
      const frame = await sessions.run(
        id,
        'import pandas as pd\ndf = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})\ndf',
      );
      expect(frame.status).toBe('succeeded');
      expect(frame.result['text/plain']).toMatch(/^\s+a\s+b\n0\s+1\s+x\n1\s+2\s+y$/);
      expect(frame.result['text/html']).toMatch(/^<div>[\s\S]*<table border="1" class="dataframe">[\s\S]*<td>x<\/td>/);

      const plot = await sessions.run(
        id,
        [
          'import matplotlib, matplotlib.pyplot as plt',
          'fig, ax = plt.subplots(figsize=(4, 3), dpi=100)',
          'ax.plot(df.a, df.a ** 2)',
          'plt.show()',
          'other = plt.figure(figsize=(2, 1), dpi=100)',
          'matplotlib.get_backend()',
        ].join('\n'),
      );
      expect(plot).toMatchObject({ status: 'succeeded', stderr: '', result: { 'text/plain': "'agg'" } });
      expect(plot.displays.map((d: { mime: string }) => d.mime)).toEqual(['image/png', 'image/png']);
      expect(plot.displays.map((d: { data: string }) => pngSize(d.data))).toEqual([
        { width: 400, height: 300 },
        { width: 200, height: 100 },
      ]);
      // Shown once: the figures were closed with the cell, and the session goes on with its data.
      const after = await sessions.run(id, 'plt.get_fignums(), int(df.a.sum())');
      expect(after).toMatchObject({ displays: [], result: { 'text/plain': '([], 3)' } });
    } finally {
      await sessions.remove(id);
    }
  });

  it('returns the figures a one-shot job left open as PNG displays, with no file written', async () => {
    const result = await run(
      'import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(3, 2), dpi=100)\nax.bar(["a", "b"], [3, 5])\nprint("drawn")',
      { environment: 'datascience', limits: { memoryMb: 512, timeoutMs: 60_000 } },
    );
    expect(result).toMatchObject({ status: 'succeeded', stdout: 'drawn\n', files: [], displaysTruncated: false });
    expect(result.displays).toHaveLength(1);
    expect(result.displays[0].mime).toBe('image/png');
    expect(pngSize(result.displays[0].data)).toEqual({ width: 300, height: 200 });
  });
});
