// The three browser engines the browser tests run in, behind one small driver interface so that each
// scenario is written once and runs per engine:
//   chromium  Debian's chromium (or CHROMIUM_PATH), headless, playwright-core over CDP (./chromium.ts)
//   firefox   Debian's firefox-esr (or FIREFOX_PATH), headless, puppeteer-core over WebDriver BiDi
//   webkit    Debian's webkit2gtk-driver: WebKitWebDriver (or WEBKIT_DRIVER_PATH) driving MiniBrowser
//             --automation (or MINIBROWSER_PATH) through selenium-webdriver. MiniBrowser is a GTK window, so
//             it gets an Xvfb display this module starts (`Xvfb -displayfd`, any free display) and stops
//             with the driver; without Xvfb it uses $DISPLAY.
// .ci/run installs all three (apt-get install chromium firefox-esr webkit2gtk-driver xvfb). An engine that
// is not installed has `missing` set to what to install, and its tests skip with that message. Nothing is
// downloaded: each driver is told where the browser is.
//
// What differs by engine, and how the interface evens it out:
// - console errors: Chromium and Firefox report every console error and uncaught exception of the page
//   (and Chromium its workers'); WebKitWebDriver has no log API, so in WebKit consoleErrors() is what the
//   page itself logged with console.error or threw, as recorded by a hook in the page (test/browser/page/
//   console.js, loaded first) or, for pages without it, installed by the driver right after each load.
// - offline: Chromium and Firefox emulate it (setOffline returns true); WebKit cannot (false), so the
//   tests that go offline also cut the connection at their own server (test/web/offline.test.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CHROMIUM, PAGE_TIMEOUT_MS, hasChromium, launchChromium } from './chromium.js';

export type EngineName = 'chromium' | 'firefox' | 'webkit';

/** One page of a launched browser. */
export interface Tab {
  /** Navigates and waits for the load event. */
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** Runs `fn(arg)` in the page (its source is sent: no closures); awaits a returned promise. */
  evaluate<T, A = undefined>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T>;
  /** Polls `fn(arg)` in the page every 100 ms until it returns a truthy value, and returns that value. */
  waitFor<T, A = undefined>(fn: (arg: A) => T | Promise<T>, arg?: A, timeoutMs?: number): Promise<T>;
  /** Console errors and uncaught exceptions seen so far (see the header for what WebKit can report). */
  consoleErrors(): Promise<string[]>;
  /** Emulates being offline where the engine can; returns whether it did. */
  setOffline(offline: boolean): Promise<boolean>;
  close(): Promise<void>;
}

export interface Driver {
  engine: Engine;
  /** The browser's own name and version, for the test log. */
  version: string;
  newTab(): Promise<Tab>;
  close(): Promise<void>;
}

export interface Engine {
  name: EngineName;
  label: string;
  /** Why the engine cannot run here (what to install), or null. */
  missing: string | null;
  /** Whether a cross-origin isolated page of this engine has SharedArrayBuffer (WebKitGTK: no). */
  sharedMemoryWhenIsolated: boolean;
  launch(): Promise<Driver>;
}

const POLL_MS = 100;

/** Polls `probe` until it gives a truthy value; retries through navigations (a probe may throw then). */
async function poll<T>(probe: () => Promise<T>, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : String(last)})`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

const describeFn = (fn: (...a: never[]) => unknown) => fn.toString().replace(/\s+/g, ' ').slice(0, 120);

// ── Chromium: playwright-core over CDP ────────────────────────────────────────────────────────────────
const chromium: Engine = {
  name: 'chromium',
  label: 'headless Chromium',
  missing: hasChromium ? null : `no Chromium at ${CHROMIUM} (apt-get install chromium, as .ci/run does; or set CHROMIUM_PATH)`,
  sharedMemoryWhenIsolated: true,
  async launch() {
    const browser = await launchChromium();
    const version = `Chromium ${browser.context.browser()?.version() ?? ''}`.trim();
    const driver: Driver = {
      engine: chromium,
      version,
      async newTab() {
        const page = await browser.context.newPage();
        const errors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url || 'no location'})`);
        });
        page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
        const tab: Tab = {
          goto: async (url) => { await page.goto(url, { timeout: PAGE_TIMEOUT_MS }); },
          reload: async () => { await page.reload({ timeout: PAGE_TIMEOUT_MS }); },
          evaluate: <T, A>(fn: (arg: A) => T | Promise<T>, arg?: A) => page.evaluate(fn as (arg: unknown) => unknown, arg as unknown) as Promise<T>,
          waitFor: <T, A>(fn: (arg: A) => T | Promise<T>, arg?: A, timeoutMs = PAGE_TIMEOUT_MS) =>
            poll(() => tab.evaluate(fn, arg), describeFn(fn), timeoutMs),
          consoleErrors: async () => [...errors],
          setOffline: async (offline) => {
            await browser.context.setOffline(offline);
            return true;
          },
          close: () => page.close(),
        };
        return tab;
      },
      close: () => browser.close(),
    };
    return driver;
  },
};

// ── Firefox ESR: puppeteer-core over WebDriver BiDi ───────────────────────────────────────────────────
const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const firefox: Engine = {
  name: 'firefox',
  label: 'headless Firefox ESR (WebDriver BiDi)',
  missing: existsSync(FIREFOX) ? null : `no Firefox at ${FIREFOX} (apt-get install firefox-esr, as .ci/run does; or set FIREFOX_PATH)`,
  sharedMemoryWhenIsolated: true,
  async launch() {
    const puppeteer = (await import('puppeteer-core')).default;
    const userDataDir = mkdtempSync(path.join(tmpdir(), 'mnw-firefox-'));
    const browser = await puppeteer.launch({
      browser: 'firefox', executablePath: FIREFOX, protocol: 'webDriverBiDi', headless: true, userDataDir,
      timeout: PAGE_TIMEOUT_MS, protocolTimeout: PAGE_TIMEOUT_MS,
      // puppeteer's defaults already turn off updates, telemetry and most background traffic; the network is
      // closed, so also no captive-portal and connectivity checks.
      extraPrefsFirefox: { 'network.captive-portal-service.enabled': false, 'network.connectivity-service.enabled': false },
    });
    const version = await browser.version();
    const driver: Driver = {
      engine: firefox,
      version,
      async newTab() {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url || 'no location'})`);
        });
        page.on('pageerror', (e) => errors.push(`uncaught: ${e instanceof Error ? e.message : String(e)}`));
        const tab: Tab = {
          goto: async (url) => { await page.goto(url, { timeout: PAGE_TIMEOUT_MS, waitUntil: 'load' }); },
          reload: async () => { await page.reload({ timeout: PAGE_TIMEOUT_MS, waitUntil: 'load' }); },
          evaluate: <T, A>(fn: (arg: A) => T | Promise<T>, arg?: A) => page.evaluate(fn as (arg: unknown) => unknown, arg as unknown) as Promise<T>,
          waitFor: <T, A>(fn: (arg: A) => T | Promise<T>, arg?: A, timeoutMs = PAGE_TIMEOUT_MS) =>
            poll(() => tab.evaluate(fn, arg), describeFn(fn), timeoutMs),
          consoleErrors: async () => [...errors],
          setOffline: async (offline) => {
            await page.setOfflineMode(offline);
            return true;
          },
          close: () => page.close(),
        };
        return tab;
      },
      async close() {
        await browser.close();
        rmSync(userDataDir, { recursive: true, force: true });
      },
    };
    return driver;
  },
};

// ── WebKit: WebKitWebDriver + selenium-webdriver, MiniBrowser on Xvfb ─────────────────────────────────
const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
/** Where Debian (/usr/lib/<triplet>/webkit2gtk-4.x/) or Fedora (/usr/libexec/webkit2gtk-4.x/) put MiniBrowser. */
function findMiniBrowser(): string | null {
  if (process.env.MINIBROWSER_PATH) return existsSync(process.env.MINIBROWSER_PATH) ? process.env.MINIBROWSER_PATH : null;
  const roots = ['/usr/libexec', '/usr/lib'];
  try {
    roots.push(...readdirSync('/usr/lib').filter((d) => d.endsWith('-linux-gnu')).map((d) => path.join('/usr/lib', d)));
  } catch {
    // no /usr/lib: not a Linux with WebKitGTK
  }
  for (const api of ['webkit2gtk-4.1', 'webkit2gtk-4.0', 'webkitgtk-6.0']) {
    for (const root of roots) {
      const candidate = path.join(root, api, 'MiniBrowser');
      if (existsSync(candidate)) return candidate;
    }
  }
  return null;
}
const MINIBROWSER = findMiniBrowser();
const XVFB = ['/usr/bin/Xvfb', '/usr/local/bin/Xvfb'].find((p) => existsSync(p)) ?? null;

function webkitMissing(): string | null {
  const install = 'apt-get install webkit2gtk-driver xvfb, as .ci/run does';
  if (!existsSync(WEBKIT_DRIVER)) return `no WebKitWebDriver at ${WEBKIT_DRIVER} (${install}; or set WEBKIT_DRIVER_PATH)`;
  if (!MINIBROWSER) return `no MiniBrowser under /usr/lib/*/webkit2gtk-4.*/ (${install}; or set MINIBROWSER_PATH)`;
  if (!XVFB && !process.env.DISPLAY) return `MiniBrowser needs a display: no Xvfb and no $DISPLAY (${install})`;
  return null;
}

/** Starts Xvfb on the first free display; resolves with the display name (":N") once it accepts clients. */
async function startXvfb(xvfb: string): Promise<{ display: string; stop(): void }> {
  const proc = spawn(xvfb, ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x1024x24'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (d) => { stderr += d; });
  const stop = killer(proc);
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    (proc.stdio[3] as NodeJS.ReadableStream).on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`Xvfb exited with code ${code} before it was ready: ${stderr.trim()}`)));
  }).catch((e) => { stop(); throw e; });
  return { display, stop };
}

/** A stop function for a child process that also runs if this process exits first (no stray Xvfb). */
function killer(proc: ChildProcess): () => void {
  const stop = () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill();
    process.off('exit', stop);
  };
  process.on('exit', stop);
  return stop;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Records console.error calls, uncaught errors and unhandled rejections in window.__consoleErrors. */
function installConsoleHook(): void {
  const w = window as unknown as { __consoleErrors?: string[] };
  if (w.__consoleErrors) return;
  const errors: string[] = (w.__consoleErrors = []);
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    errors.push(args.map(String).join(' '));
    original(...args);
  };
  window.addEventListener('error', (e) => errors.push(`uncaught: ${e.message} (${e.filename}:${e.lineno})`));
  window.addEventListener('unhandledrejection', (e) => errors.push(`unhandled rejection: ${String(e.reason)}`));
}

const webkit: Engine = {
  name: 'webkit',
  label: 'WebKitGTK MiniBrowser (WebKitWebDriver, Xvfb)',
  missing: webkitMissing(),
  sharedMemoryWhenIsolated: false,
  async launch() {
    const { Builder } = await import('selenium-webdriver');
    const x = XVFB ? await startXvfb(XVFB) : null;
    const display = x?.display ?? process.env.DISPLAY!;
    const port = await freePort();
    const service = spawn(WEBKIT_DRIVER, [`--port=${port}`, '--host=local'], {
      env: { ...process.env, DISPLAY: display }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let serviceLog = '';
    service.stderr?.on('data', (d) => { serviceLog = (serviceLog + d).slice(-4000); });
    const stopService = killer(service);
    const stopAll = () => {
      stopService();
      x?.stop();
    };
    let session;
    try {
      const url = `http://127.0.0.1:${port}`;
      await poll(async () => (await fetch(`${url}/status`)).ok, `WebKitWebDriver on ${url} (${serviceLog.trim()})`, 20_000);
      session = await new Builder().usingServer(url).withCapabilities({
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
      }).build();
      await session.manage().setTimeouts({ script: PAGE_TIMEOUT_MS, pageLoad: PAGE_TIMEOUT_MS });
    } catch (e) {
      stopAll();
      throw e;
    }
    const wd = session;
    const caps = await wd.getCapabilities();
    const version = `${caps.getBrowserName()} ${caps.getBrowserVersion() ?? ''}`.trim();
    const tabs = new Set<string>();

    const driver: Driver = {
      engine: webkit,
      version,
      async newTab() {
        // WebDriver classic addresses one window at a time: every call switches to this tab's window first.
        if (tabs.size > 0) await wd.switchTo().newWindow('tab');
        const handle = await wd.getWindowHandle();
        tabs.add(handle);
        const errors: string[] = [];
        const focus = () => wd.switchTo().window(handle);
        const run = async <T, A>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T> => {
          await focus();
          // Execute Script awaits a returned promise (WebDriver spec); the page gets the function's source.
          return wd.executeScript(`return (${fn.toString()})(arguments[0]);`, arg ?? null) as Promise<T>;
        };
        /** Keeps the errors of the page about to be left (its hook dies with it). */
        const harvest = async () => {
          try {
            errors.push(...await run(() => (window as unknown as { __consoleErrors?: string[] }).__consoleErrors ?? []));
          } catch {
            // no page yet (about:blank before the first goto) or it is gone: nothing to keep
          }
        };
        const afterLoad = () => run(installConsoleHook);
        const tab: Tab = {
          goto: async (url) => {
            await harvest();
            await focus();
            await wd.get(url);
            await afterLoad();
          },
          reload: async () => {
            await harvest();
            await focus();
            await wd.navigate().refresh();
            await afterLoad();
          },
          evaluate: run,
          waitFor: <T, A>(fn: (arg: A) => T | Promise<T>, arg?: A, timeoutMs = PAGE_TIMEOUT_MS) =>
            poll(() => run(fn, arg), describeFn(fn), timeoutMs),
          consoleErrors: async () => [...errors, ...await run(() => (window as unknown as { __consoleErrors?: string[] }).__consoleErrors ?? [])],
          setOffline: async () => false,
          close: async () => {
            tabs.delete(handle);
            await focus();
            if (tabs.size > 0) {
              await wd.close();
              await wd.switchTo().window([...tabs][0]);
            } else {
              await wd.get('about:blank'); // the session's last window stays open until quit
            }
          },
        };
        return tab;
      },
      async close() {
        try {
          await wd.quit();
        } finally {
          stopAll();
        }
      },
    };
    return driver;
  },
};

export const ENGINES: readonly Engine[] = [chromium, firefox, webkit];

for (const e of ENGINES) if (e.missing) console.warn(`[skip] ${e.label} tests: ${e.missing}`);

/** A tab's visit to `url`: waits for window.__result (set by the page when it is done) and collects errors. */
export async function visitPage<T>(driver: Driver, url: string): Promise<{ result: T; consoleErrors: string[] }> {
  const tab = await driver.newTab();
  try {
    await tab.goto(url);
    const result = await tab.waitFor(() => (window as unknown as { __result?: unknown }).__result) as T;
    return { result, consoleErrors: await tab.consoleErrors() };
  } finally {
    await tab.close();
  }
}
