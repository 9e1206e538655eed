import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { adminKey, asKey, baseUrl, createKey, request } from './support/api-client';
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
  useKey,
  withPage as withPlaygroundPage,
} from './support/playground-page';
import { privateStack } from './support/private-stack';

/*
 * The playground at `/`, in a real Chromium against the real stack: the page
 * is what a person uses, so every test drives it as a person would (typing
 * the key, the code, clicking Run) and reads what is on screen. Each test
 * leaves a screenshot in .data/playground/.
 */

const RUN_MS = 60_000;

let browser: TestBrowser;
beforeAll(async () => {
  browser = await TestBrowser.launch();
});
afterAll(async () => {
  await browser?.close();
});

const withPage = (name: string, body: (page: Page, record: PageRecord) => Promise<void>, url?: string) =>
  withPlaygroundPage(browser, name, body, url);

/** Clicks Run (or presses the shortcut) and returns the final status the badge shows. */
const run = async (page: Page, how: 'button' | 'shortcut' = 'button', timeout = RUN_MS): Promise<string> => {
  if (how === 'button') await page.click('#run');
  else await page.keyboard.press('Control+Enter');
  await page.locator('#status', { hasText: FINAL_STATUS }).waitFor({ timeout });
  return (await page.textContent('#status'))!;
};

/**
 * Makes the page meet a server without execution events: a run's POST asks
 * for JSON rather than a stream, and every events route answers 404 as a
 * missing route does. What reaches the page is then what `?wait=true` gives.
 */
const withoutEventStreams = async (page: Page): Promise<{ eventRequests: string[] }> => {
  const eventRequests: string[] = [];
  await page.route(/\/events(\?|$)/, (route) => {
    eventRequests.push(route.request().url());
    return route.fulfill({
      status: 404,
      json: { statusCode: 404, message: `Cannot GET ${new URL(route.request().url()).pathname}`, error: 'Not Found' },
    });
  });
  await page.route(/\/executions$/, (route) =>
    route.request().method() === 'POST'
      ? route.continue({ headers: { ...route.request().headers(), accept: 'application/json' } })
      : route.fallback(),
  );
  return { eventRequests };
};

/** The ids of the history entries the page lists, top to bottom. */
const listedIds = (page: Page): Promise<string[]> =>
  page
    .locator('#history-list .history-entry')
    .evaluateAll((entries: HTMLElement[]) => entries.map((entry) => entry.dataset.id ?? ''));

/** Clicks the download link of a returned file, as a person would, and reads the file the browser saved. */
const download = async (page: Page, name: string): Promise<Buffer> => {
  const [saved] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#files a', { hasText: name }).click(),
  ]);
  expect(saved.suggestedFilename()).toBe(name);
  return readFileSync(await saved.path());
};

describe('playground', () => {
  it('is served at / without a key, with a strict CSP and safe headers; only its own files are public, and /docs is still there', async () => {
    const open = asKey(null);
    const page = await open.request('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');

    // The page names its assets; each is public, and has the same headers.
    const assets = [...(page.body as string).matchAll(/(?:src|href)="(\/playground\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBe(2);
    for (const asset of assets) {
      const response = await open.request('GET', asset);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    // Nothing else under the prefix exists for a caller without a key, and the API still needs one.
    expect((await open.request('GET', '/playground/no-such-file.js')).status).toBe(401);
    expect((await open.request('GET', `${assets[0]}.gz`)).status).toBe(401);
    expect((await open.request('GET', '/v1/environments')).status).toBe(401);
    expect((await open.request('GET', '/docs')).status).toBe(200);

    await withPage('first-visit', async (tab) => {
      await tab.locator('#connection.connection-problem', { hasText: 'needs an API key' }).waitFor();
    });
  });

  it('runs print("hi"): hi appears and the status is succeeded, with usage; the key stays in sessionStorage, never in the URL', async () => {
    await withPage('print-hi', async (page) => {
      await connectAsAdmin(page);
      await setCode(page, 'print("hi")');
      expect(await run(page)).toBe('succeeded');
      expect(await text(page, '#output .stdout')).toBe('hi\n');
      expect(await text(page, '#output .stderr')).toBe('');
      expect(await page.textContent('#usage')).toMatch(/^wall \d+ ms · CPU \d+ ms · memory [\d.]+ (B|KiB|MiB)$/);
      expect(await page.evaluate(() => sessionStorage.getItem('sps.apiKey'))).toBe(adminKey());
      expect(page.url()).toBe(`${baseUrl()}/`);
      expect(await page.inputValue('#api-key')).toBe('');

      // On a phone-sized screen the panes stack, and nothing is wider than the screen.
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      const [program, output] = await Promise.all(
        ['.program', '.result'].map((pane) => page.locator(pane).boundingBox()),
      );
      expect(output!.y).toBeGreaterThanOrEqual(program!.y + program!.height);
      await screenshot(page, 'print-hi-narrow', { fullPage: true });
      await page.setViewportSize({ width: 1280, height: 800 });
    });
  });

  it('streams output in as it is written: the first line shows while the run is still running', async () => {
    await withPage('streaming', async (page) => {
      await connectAsAdmin(page);
      await setCode(
        page,
        'import time\nfor i in range(10):\n    print(f"line {i}", flush=True)\n    time.sleep(0.2)\nprint("done")',
      );
      await noteFirstSight(page, { output: '#output', status: '#status' }, 'line 0');
      expect(await run(page)).toBe('succeeded');
      const first = await firstSight(page);
      expect(first?.status).toBe('running');
      expect(first?.output).not.toContain('done');
      const lines = Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join('');
      expect(await text(page, '#output .stdout')).toBe(`${lines}done\n`);
    });
  });

  it('resumes a stream that breaks off before its result after the last event it saw, and shows each line once', async () => {
    await withPage('stream-resumed', async (page) => {
      await connectAsAdmin(page);
      // The run's own stream reaches the page cut after its first stdout event, as a dropped connection would leave it.
      let kept: string | undefined;
      await page.route(/\/v1\/executions$/, async (route) => {
        if (route.request().method() !== 'POST') return route.fallback();
        const response = await route.fetch();
        const body = await response.text();
        const frames = body.split('\n\n');
        const cut = frames.findIndex((frame) => /^event: stdout$/m.test(frame));
        // No stdout event (no stream at all): passed on whole, and the test fails on `kept` below.
        if (cut < 0) return route.fulfill({ response, body });
        kept = /^id: (\d+)$/m.exec(frames[cut])?.[1];
        await route.fulfill({ response, body: `${frames.slice(0, cut + 1).join('\n\n')}\n\n` });
      });
      const resumes: (string | undefined)[] = [];
      await page.route(/\/events$/, (route) => {
        resumes.push(route.request().headers()['last-event-id']);
        return route.fallback();
      });
      await setCode(page, 'import time\nfor i in range(6):\n    print(f"line {i}", flush=True)\n    time.sleep(0.2)');
      expect(await run(page)).toBe('succeeded');
      expect(kept).toMatch(/^\d+$/);
      expect(resumes).toEqual([kept]);
      expect(await text(page, '#output .stdout')).toBe(Array.from({ length: 6 }, (_, i) => `line ${i}\n`).join(''));
    });
  });

  it('runs through ?wait=true when the server has no stream to spare for the run', async () => {
    await withPage('stream-refused', async (page) => {
      await connectAsAdmin(page);
      // What the API answers a key that holds API_MAX_EVENT_STREAMS_PER_KEY streams already; nothing is queued.
      const refused: string[] = [];
      await page.route(/\/v1\/executions$/, (route) => {
        if (route.request().headers()['accept'] !== 'text/event-stream') return route.fallback();
        refused.push(route.request().method());
        return route.fulfill({
          status: 429,
          headers: { 'retry-after': '1' },
          json: { statusCode: 429, message: 'this key holds too many event streams open', error: 'Too Many Requests' },
        });
      });
      await setCode(page, 'print("waited for")');
      expect(await run(page)).toBe('succeeded');
      expect(await text(page, '#output .stdout')).toBe('waited for\n');
      expect(refused).toEqual(['POST']);
    });
  });

  it('shows the traceback of 1/0 as stderr, set apart from stdout, and the status failed', async () => {
    await withPage('traceback', async (page) => {
      await connectAsAdmin(page);
      await setCode(page, 'print("before")\n1/0\n');
      expect(await run(page, 'shortcut')).toBe('failed');
      expect(await text(page, '#output .stdout')).toBe('before\n');
      const stderr = await text(page, '#output .stderr');
      expect(stderr).toMatch(/^Traceback \(most recent call last\):/);
      expect(stderr).toContain('ZeroDivisionError: division by zero');
      expect(await text(page, '#output .note')).toContain('exit code 1');
      const look = (selector: string) =>
        page.locator(selector).evaluate((el) => {
          const style = getComputedStyle(el);
          return `${style.color} ${style.backgroundColor}`;
        });
      expect(await look('#output .stderr')).not.toBe(await look('#output .stdout'));
    });
  });

  it('says clearly when the key is wrong, and runs nothing with it', async () => {
    await withPage('wrong-key', async (page) => {
      await useKey(page, 'sps_this-key-does-not-exist');
      const message = page.locator('#connection.connection-problem');
      await message.waitFor();
      expect(await message.textContent()).toBe(
        'The API key was refused: the API key is not valid (unknown or revoked)',
      );
      expect(await page.locator('#environment option').count()).toBe(0);
      expect(await run(page)).toBe('not run');
      expect(await text(page, '#output .problem')).toBe(
        'The API key was refused: the API key is not valid (unknown or revoked)',
      );
    });
  });

  it('shows output that looks like HTML as text, and runs none of it', async () => {
    await withPage('hostile-output', async (page, record) => {
      await connectAsAdmin(page);
      await setCode(
        page,
        [
          'import sys',
          'print("<script>alert(1)</script>")',
          'print("<img src=x onerror=alert(2)>", file=sys.stderr)',
          'open("<img src=x onerror=alert(3)>.txt", "w").write("<script>alert(4)</script>")',
        ].join('\n'),
      );
      expect(await run(page)).toBe('succeeded');
      expect(await text(page, '#output .stdout')).toBe('<script>alert(1)</script>\n');
      expect(await text(page, '#output .stderr')).toBe('<img src=x onerror=alert(2)>\n');
      expect(await text(page, '#files a')).toBe('<img src=x onerror=alert(3)>.txt');
      // Only the page's own module script exists, and no element came from the output.
      expect(await page.locator('script').count()).toBe(1);
      expect(await page.locator('#output *:not(span), #files img, #displays img').count()).toBe(0);
      // Let any image error or script run, if one had been created, before looking for dialogs.
      await page.waitForLoadState('networkidle');
      expect(record.dialogs).toEqual([]);
    });
  });

  it('passes stdin, args and files picked from disk, shows limits with their maxima, and applies them', async () => {
    await withPage('inputs-and-limits', async (page) => {
      await connectAsAdmin(page);
      const limits = (await request('GET', '/v1/limits')).body;
      expect(await page.textContent('#limit-timeout-hint')).toBe(
        `default ${limits.defaults.timeoutMs}, max ${limits.max.timeoutMs}`,
      );
      expect(await page.textContent('#limit-memory-hint')).toBe(
        `default ${limits.defaults.memoryMb}, max ${limits.max.memoryMb}`,
      );

      await page.fill('#stdin', 'from stdin');
      await page.fill('#args', 'one\ntwo words');
      await page.setInputFiles('#input-files', [
        { name: 'data.bin', mimeType: 'application/octet-stream', buffer: Buffer.from([0, 1, 2, 255]) },
      ]);
      await page.locator('#input-file-list li', { hasText: 'data.bin' }).waitFor();
      await setCode(
        page,
        'import sys\nprint(sys.argv[1:], sys.stdin.read(), list(open("data.bin", "rb").read()))\nopen("out.csv", "w").write("a,b\\n1,2\\n")',
      );
      expect(await run(page)).toBe('succeeded');
      expect(await text(page, '#output .stdout')).toBe("['one', 'two words'] from stdin [0, 1, 2, 255]\n");
      // A returned file that is not an image is a download link to its bytes.
      expect((await download(page, 'out.csv')).toString()).toBe('a,b\n1,2\n');

      await page.fill('#limit-memory', String(limits.max.memoryMb + 1));
      expect(await run(page)).toBe('not run');
      expect(await text(page, '#output .problem')).toBe(
        `memory (MB) must be at most ${limits.max.memoryMb}, this key's maximum`,
      );

      await page.fill('#limit-memory', '');
      await page.fill('#limit-timeout', '1000');
      await page.click('#input-file-list .remove');
      await setCode(page, 'import time\nprint("start", flush=True)\ntime.sleep(30)');
      expect(await run(page)).toBe('timeout');
    });
  });

  it('falls back to ?wait=true without an events stream, and draws displays: images inline, text/html in a frame that runs no script, other types as text', async () => {
    // This test adds displays of every kind to a real result on its way to the page, in the shape the page
    // accepts ({mime, data}), to check how the page draws each. The result is one piece of JSON when it comes
    // through ?wait=true, which the page uses when the server has no events stream.
    await withPage('displays', async (page, record) => {
      await connectAsAdmin(page);
      const { eventRequests } = await withoutEventStreams(page);
      await page.route(/\/v1\/executions(\/[^/?]+)?\?wait=true$/, async (route) => {
        const response = await route.fetch();
        const result = await response.json();
        result.displays = [
          { mime: 'image/png', data: png(30, 12).toString('base64') },
          { mime: 'text/html', data: result.stdout },
          {
            mime: 'image/svg+xml',
            data: '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><script>alert(5)</script><rect width="40" height="20" fill="teal"/></svg>',
          },
          { mime: 'application/javascript', data: 'alert(6)' },
        ];
        await route.fulfill({ response, json: result });
      });
      await setCode(
        page,
        `print('<p id="inside">from html</p><script>alert(7)</script><img src=x onerror="alert(8)">')`,
      );
      expect(await run(page)).toBe('succeeded');
      expect(await naturalWidths(page, '#displays img')).toEqual([30, 40]);
      const frame = page.locator('#displays iframe');
      expect(await frame.getAttribute('sandbox')).toBe('');
      expect(await page.frameLocator('#displays iframe').locator('#inside').textContent()).toBe('from html');
      expect(await text(page, '#displays .display-text')).toBe('alert(6)');
      await page.waitForLoadState('networkidle');
      expect(record.dialogs).toEqual([]);
      // The events route was tried once and found missing; the next run goes straight to ?wait=true.
      expect(eventRequests).toHaveLength(1);
      await setCode(page, 'print("again")');
      expect(await run(page)).toBe('succeeded');
      expect(await text(page, '#output .stdout')).toBe('again\n');
      expect(await naturalWidths(page, '#displays img')).toEqual([30, 40]);
      expect(eventRequests).toHaveLength(1);
    });
  });

  it(
    'shows a matplotlib plot from the datascience environment as an image',
    async () => {
      await datascienceReady();

      await withPage('datascience-plot', async (page) => {
        await connectAsAdmin(page);
        const option = page.locator('#environment option[value="datascience"]');
        expect(await option.textContent()).toBe('datascience (ready)');
        await page.selectOption('#environment', 'datascience');
        await page.fill('#limit-memory', '512');
        await page.fill('#limit-timeout', '60000');
        await setCode(
          page,
          [
            'import matplotlib.pyplot as plt, numpy as np',
            'x = np.linspace(0, 4 * np.pi, 400)',
            'fig, ax = plt.subplots(figsize=(5.6, 3.2), dpi=100)',
            'ax.plot(x, np.sin(x), label="sin x")',
            'ax.plot(x, np.exp(-x / 6) * np.cos(2 * x), label="damped")',
            'ax.set_title("Plotted in the sandbox"); ax.legend(); fig.tight_layout()',
            'fig.savefig("plot.png")',
            'print("saved plot.png")',
          ].join('\n'),
        );
        expect(await run(page, 'button', 5 * 60_000)).toBe('succeeded');
        expect(await text(page, '#output .stdout')).toBe('saved plot.png\n');
        const widthOf = (alt: string) =>
          page
            .locator(`#displays img[alt="${alt}"]`)
            .evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth));
        const naturalWidth = await widthOf('plot.png');
        expect(naturalWidth).toBeGreaterThan(0);
        // The width the PNG itself declares (IHDR), in the file its download link saves.
        expect(naturalWidth).toBe((await download(page, 'plot.png')).readUInt32BE(16));
        // The figure left open when the program ended comes back too, as a display.
        expect(await widthOf('image/png')).toBe(naturalWidth);
      });
    },
    DATASCIENCE_BUILD_MS + 60_000,
  );

  it("lists the key's runs newest first with their statuses, shows an older run's output when chosen, and loads more by cursor", async () => {
    // A key of its own: its history holds only what this test runs.
    const { key } = await createKey('playground-history');
    const api = asKey(key);
    const history = async (): Promise<{ id: string; status: string; environment: string }[]> =>
      (await api.request('GET', '/v1/executions?limit=100')).body.items;
    await withPage('history', async (page) => {
      await useKey(page, key);
      await page.locator('#connection.connection-ok').waitFor();
      await page.locator('#history-message', { hasText: 'No runs yet' }).waitFor();

      await setCode(page, 'print("the first run")');
      expect(await run(page)).toBe('succeeded');
      await setCode(page, 'print("the second run")\n1/0');
      expect(await run(page)).toBe('failed');
      const listed = await history();
      expect(listed.map((item) => item.status)).toEqual(['failed', 'succeeded']);
      // Read again after the run: the run just shown is at the top, marked as the one shown.
      await page.locator(`#history-list .history-entry[aria-current="true"][data-id="${listed[0].id}"]`).waitFor();
      expect(await listedIds(page)).toEqual(listed.map((item) => item.id));
      expect(await page.locator('#history-list .history-entry .badge').allTextContents()).toEqual([
        'failed',
        'succeeded',
      ]);
      expect(await page.locator('#history-list .history-environment').allTextContents()).toEqual([
        'default',
        'default',
      ]);
      for (const duration of await page.locator('#history-list .history-duration').allTextContents())
        expect(duration).toMatch(/^\d+(\.\d+)? m?s$/);

      // The older run, read back in full and drawn where a run's output goes.
      await page.locator('#history-list .history-entry').nth(1).click();
      // Marked in the same moment the output is emptied: from here the badge is that of the chosen run.
      await page.locator(`#history-list [data-id="${listed[1].id}"][aria-current="true"]`).waitFor();
      expect(await page.getAttribute(`#history-list [data-id="${listed[0].id}"]`, 'aria-current')).toBe('false');
      await page.locator('#status', { hasText: FINAL_STATUS }).waitFor();
      expect(await page.textContent('#status')).toBe('succeeded');
      expect(await text(page, '#output .stdout')).toBe('the first run\n');
      expect(await text(page, '#output .stderr')).toBe('');
      expect(await page.textContent('#usage')).toMatch(/^wall \d+ ms/);
      await page.locator('#history-list .history-entry').nth(0).click();
      await page.locator('#output .stderr', { hasText: 'ZeroDivisionError' }).waitFor();
      expect(await page.textContent('#status')).toBe('failed');
      expect(await text(page, '#output .stdout')).toBe('the second run\n');

      // More runs than a page holds: the rest come with "load more", in the API's order, none twice.
      const batch = await api.request('POST', '/v1/executions/batch', {
        executions: Array.from({ length: 9 }, (_, i) => ({ code: `print(${i})` })),
      });
      expect(batch.status).toBe(202);
      // Once all have ended, the list no longer changes under the test.
      const all = await eventually('11 runs, all ended', async () => {
        const items = await history();
        return items.length === 11 && items.every((item) => FINAL_STATUS.test(item.status))
          ? items.map((item) => item.id)
          : undefined;
      });
      await page.click('#history-refresh');
      await page.locator('#history-more').waitFor();
      const firstPage = await listedIds(page);
      expect(firstPage.length).toBeLessThan(all.length);
      expect(firstPage).toEqual(all.slice(0, firstPage.length));
      while (await page.isVisible('#history-more')) {
        const shown = (await listedIds(page)).length;
        await page.click('#history-more');
        await page.waitForFunction(
          (count) => document.querySelectorAll('#history-list .history-entry').length > count,
          shown,
        );
      }
      expect(await listedIds(page)).toEqual(all);
    });
  });

  it('works under AUTH=off with no key at all', async () => {
    const open = await privateStack('playground-open', { AUTH: 'off', ADMIN_API_KEY: '', POOL_SIZES: 'default=0' });
    try {
      await open.stack.start(1);
      await withPage(
        'auth-off',
        async (page) => {
          await page.locator('#connection.connection-ok', { hasText: 'needs no API key' }).waitFor();
          await setCode(page, 'print(6 * 7)');
          expect(await run(page)).toBe('succeeded');
          expect(await text(page, '#output .stdout')).toBe('42\n');
          // With no key, the history is that of every caller without one, as the API lists it.
          const [newest] = (await asKey(null, open.stack.baseUrl).request('GET', '/v1/executions')).body.items;
          expect(newest.status).toBe('succeeded');
          await page.locator(`#history-list .history-entry[aria-current="true"][data-id="${newest.id}"]`).waitFor();
          await setCode(page, 'print("another")');
          expect(await run(page)).toBe('succeeded');
          await page.locator('#history-list li:nth-child(2) .history-entry').click();
          await page.locator('#output .stdout', { hasText: '42' }).waitFor();
          expect(await page.textContent('#status')).toBe('succeeded');
        },
        `${open.stack.baseUrl}/`,
      );
    } finally {
      await open.cleanUp();
    }
  });
});
