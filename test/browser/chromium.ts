// Headless Chromium for the browser tests: Debian's /usr/bin/chromium (or CHROMIUM_PATH) driven by
// playwright-core, with the flags the machine notes prescribe (no background traffic: the network is
// closed) and a fresh user-data-dir per launch. Never downloads a browser.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const PAGE_TIMEOUT_MS = 180_000;
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export interface Browser { context: BrowserContext; close(): Promise<void> }

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'mnw-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: PAGE_TIMEOUT_MS,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface Visit<T> { result: T; consoleErrors: string[]; headers: Record<string, string>; status: number }

/** Opens `url`, waits until the page sets window.__result, and returns it with the console errors seen. */
export async function visit<T>(context: BrowserContext, url: string): Promise<Visit<T>> {
  const page: Page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url || 'no location'})`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
  try {
    const response = await page.goto(url, { timeout: PAGE_TIMEOUT_MS });
    await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, null, { timeout: PAGE_TIMEOUT_MS, polling: 100 });
    const result = await page.evaluate(() => (window as unknown as { __result: unknown }).__result);
    return { result: result as T, consoleErrors, headers: response?.headers() ?? {}, status: response?.status() ?? 0 };
  } finally {
    await page.close();
  }
}
