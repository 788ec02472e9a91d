// Headless Chromium for the browser tests: Debian's /usr/bin/chromium (or CHROMIUM_PATH) driven by
// playwright-core, with the flags the machine notes prescribe (no background traffic: the network is
// closed) and a fresh user-data-dir per launch. Never downloads a browser. test/browser/engines.ts wraps it
// as one of the three engines; test/web/pwa.test.ts uses it directly (Chromium-only checks).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';

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
