import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium, which scripts/prereqs.sh installs; nothing here downloads a browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(__dirname, '..', '..', '.data', 'playground');

const ARGS = [
  '--headless',
  '--no-sandbox', // tests run as root, where Chromium's own sandbox cannot start
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Only loopback: any other host name fails to resolve, so the browser reaches nothing else.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

/** What a page did that a test must see: dialogs opened (and dismissed), CSP violations, uncaught errors. */
export interface PageRecord {
  dialogs: string[];
  /** By the page itself. */
  cspViolations: string[];
  /** In the sandboxed frames that show a program's HTML, which the page's policy covers too. */
  blockedInFrames: string[];
  errors: string[];
}

/** One headless Chromium with a fresh profile, for one test file. */
export class TestBrowser {
  private constructor(
    private readonly context: BrowserContext,
    private readonly profile: string,
  ) {}

  static async launch(): Promise<TestBrowser> {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `no Chromium at ${CHROMIUM}: run \`bash scripts/prereqs.sh\` (npm test does it) or apt-get install chromium`,
      );
    }
    const profile = mkdtempSync(join(tmpdir(), 'sps-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 800 },
    });
    return new TestBrowser(context, profile);
  }

  /** A new tab (so a fresh sessionStorage) at `url`, recording what the page does. */
  async open(url: string): Promise<{ page: Page; record: PageRecord }> {
    const page = await this.context.newPage();
    const record: PageRecord = { dialogs: [], cspViolations: [], blockedInFrames: [], errors: [] };
    page.on('dialog', (dialog) => {
      record.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('console', (message) => {
      if (!/Content Security Policy|Trusted Type/i.test(message.text())) return;
      // A sandboxed frame showing a program's HTML is loaded from a blob: URL and inherits the page's CSP:
      // what that policy blocks there (the HTML's own styles, say) is the policy working, not the page breaking it.
      if (message.location().url.startsWith('blob:')) record.blockedInFrames.push(message.text());
      else record.cspViolations.push(message.text());
    });
    page.on('pageerror', (error) => record.errors.push(error.message));
    await page.goto(url);
    return { page, record };
  }

  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}

/** Saves what the page shows under .data/playground/, for a person to look at. */
export const screenshot = async (page: Page, name: string, { fullPage = false } = {}): Promise<void> => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
};
