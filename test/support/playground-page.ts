import { crc32, deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { adminKey, baseUrl } from './api-client';
import { screenshot, type PageRecord, type TestBrowser } from './browser';

/** Every status a run or a cell ends with on the page's badge. */
export const FINAL_STATUS = /^(succeeded|failed|timeout|oom|output_limit|cancelled|error|not run)$/;

/** Opens the playground, runs `body`, and fails on any CSP violation or page error; the screenshot is taken whatever happened. */
export const withPage = async (
  browser: TestBrowser,
  name: string,
  body: (page: Page, record: PageRecord) => Promise<void>,
  url = `${baseUrl()}/`,
): Promise<void> => {
  const { page, record } = await browser.open(url);
  try {
    await body(page, record);
    expect(record.cspViolations).toEqual([]);
    expect(record.errors).toEqual([]);
  } finally {
    await screenshot(page, name).catch(() => undefined);
    await page.close();
  }
};

export const useKey = async (page: Page, key: string): Promise<void> => {
  await page.fill('#api-key', key);
  await page.click('#key-form button[type=submit]');
};

export const connectAsAdmin = async (page: Page): Promise<void> => {
  await useKey(page, adminKey());
  await page.locator('#connection.connection-ok').waitFor();
  await page.locator('#environment option[value="default"]').waitFor({ state: 'attached' });
};

/** Replaces the content of the editor inside `editor` as typed text (insertText: no auto-indent on the way). */
export const setCode = async (page: Page, code: string, editor = '#editor'): Promise<void> => {
  await page.click(`${editor} .cm-content`);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(code);
};

export const text = async (page: Page, selector: string): Promise<string> =>
  (await page.locator(selector).allTextContents()).join('');

/** What the page showed in the moment a line first appeared. */
export interface FirstSight {
  status: string;
  output: string;
}

/**
 * Has the page itself note, in the same moment `needle` first shows in
 * `output`, what the badge `status` said and the whole output then: that is
 * how a test tells output arrived before the run ended, with no clock read.
 * `firstSight` reads the note back.
 */
export const noteFirstSight = (page: Page, selectors: { output: string; status: string }, needle: string) =>
  page.evaluate(
    ({ selectors, needle }) => {
      const output = document.querySelector(selectors.output)!;
      const status = document.querySelector(selectors.status)!;
      const noted = window as unknown as { firstSight?: FirstSight };
      delete noted.firstSight;
      new MutationObserver((_, observer) => {
        if (!output.textContent?.includes(needle)) return;
        noted.firstSight = { status: status.textContent ?? '', output: output.textContent };
        observer.disconnect();
      }).observe(output, { childList: true, subtree: true, characterData: true });
    },
    { selectors, needle },
  );

export const firstSight = (page: Page): Promise<FirstSight | undefined> =>
  page.evaluate(() => (window as unknown as { firstSight?: FirstSight }).firstSight);

/** Each image's width once decoded (0 for one that does not decode as an image). */
export const naturalWidths = (page: Page, selector: string): Promise<number[]> =>
  page
    .locator(selector)
    .evaluateAll((images: HTMLImageElement[]) =>
      Promise.all(images.map((img) => img.decode().then(() => img.naturalWidth))),
    );

/** A solid PNG of the given size, made here: the default environment has no imaging library. */
export const png = (width: number, height: number): Buffer => {
  const chunk = (kind: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(kind, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x40)]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
};
