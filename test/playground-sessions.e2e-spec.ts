import type { Locator, Page } from 'playwright-core';
import { request } from './support/api-client';
import { screenshot, TestBrowser, type PageRecord } from './support/browser';
import { DATASCIENCE_BUILD_MS, datascienceReady } from './support/datascience';
import { eventually } from './support/eventually';
import {
  connectAsAdmin,
  FINAL_STATUS,
  firstSight,
  naturalWidths,
  noteFirstSight,
  png,
  setCode,
  text,
  withPage as withPlaygroundPage,
} from './support/playground-page';

/*
 * The playground's session mode, in a real Chromium against the real stack:
 * cells typed and run as a person would, in one interpreter, each with its
 * output under it. Each test leaves a screenshot in .data/playground/.
 */

const CELL_MS = 60_000;

let browser: TestBrowser;
beforeAll(async () => {
  browser = await TestBrowser.launch();
});
afterAll(async () => {
  await browser?.close();
});

const withPage = (name: string, body: (page: Page, record: PageRecord) => Promise<void>) =>
  withPlaygroundPage(browser, name, body);

/** The admin key's open sessions, as the API lists them. */
const openSessions = async (): Promise<{ id: string; status: string }[]> =>
  ((await request('GET', '/v1/sessions')).body as { id: string; status: string }[]).filter((s) =>
    ['starting', 'ready', 'busy'].includes(s.status),
  );

const cell = (page: Page, n: number): Locator => page.locator('#cells .cell').nth(n);

/** Connects, switches to session mode, and leaves `codes.length` cells holding those codes. */
const openNotebook = async (page: Page, codes: string[]): Promise<void> => {
  await connectAsAdmin(page);
  await page.click('#mode-session');
  await page.locator('#session-mode').waitFor();
  while ((await page.locator('#cells .cell').count()) < codes.length) await page.click('#add-cell');
  while ((await page.locator('#cells .cell').count()) > codes.length)
    await cell(page, codes.length).locator('.cell-remove').click();
  for (const [n, code] of codes.entries()) await setCode(page, code, `#cells .cell:nth-child(${n + 1}) .cell-editor`);
};

/** Runs cell n (its button, or Ctrl-Enter in its editor) and returns the final status its badge shows. */
const runCell = async (page: Page, n: number, how: 'button' | 'shortcut' = 'button'): Promise<string> => {
  const target = cell(page, n);
  if (how === 'button') await target.locator('.cell-run').click();
  else {
    await target.locator('.cm-content').click();
    await page.keyboard.press('Control+Enter');
  }
  const badge = target.locator('.cell-bar .badge', { hasText: FINAL_STATUS });
  await badge.waitFor({ timeout: CELL_MS });
  return (await badge.textContent())!;
};

const sessionReady = (page: Page) =>
  page.locator('#session-status', { hasText: /^ready$/ }).waitFor({ timeout: CELL_MS });

describe('playground sessions', () => {
  it('keeps state between cells (x = 41, then x + 1 shows 42), shows the session and its expiry, and closes it with the tab', async () => {
    let sessionId = '';
    await withPage('session-cells', async (page) => {
      await openNotebook(page, ['x = 41\nprint("set x")', 'x + 1']);
      expect(await page.textContent('#session-status')).toBe('no session');
      expect(await runCell(page, 0)).toBe('succeeded');
      expect(await text(page, '#cells .cell:nth-child(1) .stdout')).toBe('set x\n');
      expect(await runCell(page, 1, 'shortcut')).toBe('succeeded');
      expect(await text(page, '#cells .cell:nth-child(2) .value')).toBe('42');
      expect(await text(page, '#cells .cell:nth-child(2) .cell-count')).toBe('[2]');
      // The first cell ends in an assignment: no value, as in a notebook.
      expect(await page.locator('#cells .cell:nth-child(1) .value').count()).toBe(0);

      await sessionReady(page);
      sessionId = (await page.textContent('#session-id'))!;
      expect((await openSessions()).map((s) => s.id)).toContain(sessionId);
      const described = (await request('GET', `/v1/sessions/${sessionId}`)).body;
      expect(described.executionCount).toBe(2);
      expect(await page.textContent('#session-details')).toContain(`${described.environment} · 2 cells run`);
      expect(await page.textContent('#session-expiry')).toMatch(
        /^Closes if idle for \d+ min \d\d s; ends at .+ at the latest\.$/,
      );

      // 1280x800 (the browser's size) and a phone-sized screen: nothing wider than the screen, the cells below the session panel.
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      const [panel, cells] = await Promise.all(
        ['.session-pane', '.notebook'].map((p) => page.locator(p).boundingBox()),
      );
      expect(cells!.y).toBeGreaterThanOrEqual(panel!.y + panel!.height);
      await screenshot(page, 'session-cells-narrow', { fullPage: true });
      await page.setViewportSize({ width: 1280, height: 800 });
    });
    // Closing the tab closes the session, so reloads do not use up the key's sessions.
    await eventually(`session ${sessionId} closed with its tab`, async () =>
      (await request('GET', `/v1/sessions/${sessionId}`)).status === 410 ? true : undefined,
    );
  });

  it("streams a cell's output in as it is written: the first line shows while the cell is still running", async () => {
    await withPage('session-streaming', async (page) => {
      await openNotebook(page, [
        'import time\nfor i in range(10):\n    print(f"line {i}", flush=True)\n    time.sleep(0.2)\nprint("done")',
      ]);
      const first = '#cells .cell:nth-child(1)';
      await noteFirstSight(page, { output: `${first} .output`, status: `${first} .cell-bar .badge` }, 'line 0');
      expect(await runCell(page, 0)).toBe('succeeded');
      const seen = await firstSight(page);
      expect(seen?.status).toBe('running');
      expect(seen?.output).not.toContain('done');
      const lines = Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join('');
      expect(await text(page, `${first} .stdout`)).toBe(`${lines}done\n`);
    });
  });

  it("shows a cell's display as an image, and an HTML result only in a sandboxed frame that runs nothing", async () => {
    await withPage('session-displays', async (page, record) => {
      const image = png(30, 12).toString('base64');
      await openNotebook(page, [
        [
          'import base64',
          'class Picture:',
          '    def _repr_png_(self):',
          `        return base64.b64decode("${image}")`,
          'print("showing a picture")',
          'display(Picture())',
        ].join('\n'),
        [
          'class Table:',
          '    def _repr_html_(self):',
          `        return '<p id="inside">from html</p><script>alert(1)</script><img src=x onerror="alert(2)">'`,
          '    def __repr__(self):',
          '        return "<script>alert(3)</script>"',
          'Table()',
        ].join('\n'),
      ]);
      expect(await runCell(page, 0)).toBe('succeeded');
      expect(await text(page, '#cells .cell:nth-child(1) .stdout')).toBe('showing a picture\n');
      expect(await naturalWidths(page, '#cells .cell:nth-child(1) .displays img')).toEqual([30]);

      expect(await runCell(page, 1)).toBe('succeeded');
      const frame = cell(page, 1).locator('.displays iframe');
      expect(await frame.getAttribute('sandbox')).toBe('');
      expect(
        await page.frameLocator('#cells .cell:nth-child(2) .displays iframe').locator('#inside').textContent(),
      ).toBe('from html');
      // Nothing of the value became markup in the page itself.
      expect(await page.locator('#cells script, #cells .output img').count()).toBe(0);
      await page.waitForLoadState('networkidle');
      expect(record.dialogs).toEqual([]);
    });
  });

  it("shows an error cell's traceback as stderr, and the session goes on with its state", async () => {
    await withPage('session-error', async (page) => {
      await openNotebook(page, ['total = 40', 'print("before")\n1/0', 'total + 2']);
      expect(await runCell(page, 0)).toBe('succeeded');
      expect(await runCell(page, 1)).toBe('failed');
      const failing = '#cells .cell:nth-child(2)';
      expect(await text(page, `${failing} .stdout`)).toBe('before\n');
      const stderr = await text(page, `${failing} .stderr`);
      expect(stderr).toMatch(/^Traceback \(most recent call last\):/);
      expect(stderr).toContain('File "<cell 2>", line 2');
      expect(stderr).toContain('ZeroDivisionError: division by zero');
      expect(await runCell(page, 2)).toBe('succeeded');
      expect(await text(page, '#cells .cell:nth-child(3) .value')).toBe('42');
      await sessionReady(page);
    });
  });

  it('restarts into a fresh interpreter, and says when the session was closed, offering a new one', async () => {
    await withPage('session-restart', async (page) => {
      await openNotebook(page, ['x = 41', 'x']);
      expect(await runCell(page, 0)).toBe('succeeded');
      await sessionReady(page);
      const first = (await page.textContent('#session-id'))!;

      await page.click('#session-restart');
      await sessionReady(page);
      // The old session is closed; the outputs of its interpreter are gone from the page.
      expect((await request('GET', `/v1/sessions/${first}`)).status).toBe(410);
      expect(await page.locator('#cells .cell:nth-child(1) .output span').count()).toBe(0);
      expect(await runCell(page, 1)).toBe('failed');
      expect(await text(page, '#cells .cell:nth-child(2) .stderr')).toContain("NameError: name 'x' is not defined");

      // Closed elsewhere (here through the API): the next cell says so, and the page offers a new session.
      const second = (await page.textContent('#session-id'))!;
      expect(second).not.toBe(first);
      expect((await request('DELETE', `/v1/sessions/${second}`)).status).toBe(204);
      expect(await runCell(page, 0)).toBe('not run');
      expect(await text(page, '#cells .cell:nth-child(1) .problem')).toMatch(
        /^The session has ended: session .+ is closed: deleted$/,
      );
      expect(await page.textContent('#session-notice')).toBe(
        'This session is closed (deleted). Its variables are gone; start a new session to run cells again.',
      );
      expect(await page.textContent('#session-start')).toBe('Start a new session');
      await screenshot(page, 'session-gone');

      await page.click('#session-start');
      await sessionReady(page);
      expect(await runCell(page, 0)).toBe('succeeded');
      expect(await runCell(page, 1)).toBe('succeeded');
      expect(await text(page, '#cells .cell:nth-child(2) .value')).toBe('41');

      // Closed here: the panel says so, and no cell runs until a new session starts.
      const third = (await page.textContent('#session-id'))!;
      await page.click('#session-close');
      await page.locator('#session-status', { hasText: /^closed$/ }).waitFor();
      expect(await page.textContent('#session-notice')).toBe(
        'You closed this session. Its variables are gone; start a new session to run cells again.',
      );
      expect(await runCell(page, 1)).toBe('not run');
      expect(await text(page, '#cells .cell:nth-child(2) .problem')).toBe(
        'Not run: there is no open session (see the session panel).',
      );
      await eventually('the closed session gone', async () =>
        (await request('GET', `/v1/sessions/${third}`)).status === 410 ? true : undefined,
      );
    });
  });

  it(
    'shows a matplotlib figure left open in a datascience cell as an image, and a DataFrame as HTML in a sandboxed frame',
    async () => {
      await datascienceReady();

      await withPage('session-datascience', async (page, record) => {
        await openNotebook(page, [
          'import matplotlib.pyplot as plt, pandas as pd\ndf = pd.DataFrame({"x": [1, 2, 3, 4], "y": [1, 4, 9, 16]})',
          'df.plot(x="x", y="y", title="Plotted in a session")\nprint(len(df), "rows")',
          'df.describe()',
        ]);
        await page.selectOption('#environment', 'datascience');
        await page.fill('#limit-memory', '512');
        await page.fill('#limit-timeout', '60000');
        await page.click('#session-start');
        await sessionReady(page);
        expect(await page.textContent('#session-details')).toMatch(/^datascience · /);
        expect(await runCell(page, 0)).toBe('succeeded');
        expect(await runCell(page, 1)).toBe('succeeded');
        expect(await text(page, '#cells .cell:nth-child(2) .stdout')).toBe('4 rows\n');
        const [width] = await naturalWidths(page, '#cells .cell:nth-child(2) .displays img');
        expect(width).toBeGreaterThan(0);
        expect(await runCell(page, 2)).toBe('succeeded');
        expect(await cell(page, 2).locator('.displays iframe').getAttribute('sandbox')).toBe('');
        expect(
          await page.frameLocator('#cells .cell:nth-child(3) .displays iframe').locator('table th').first().isVisible(),
        ).toBe(true);
        // The DataFrame's own <style> and style attributes are refused inside the frame: it has the page's CSP.
        expect(record.blockedInFrames.length).toBeGreaterThan(0);
        for (const blocked of record.blockedInFrames)
          expect(blocked).toMatch(/inline style violates .*'style-src 'self''/);
      });
    },
    DATASCIENCE_BUILD_MS + 60_000,
  );
});
