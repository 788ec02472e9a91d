// Lighthouse on the web app, in Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH), as a first visit
// (empty cache, no service worker yet) with Lighthouse's default mobile settings (simulated slow 4G and a 4×
// slower CPU). Prints the four category scores, cumulative layout shift, total blocking time and the bytes
// transferred, and every failing accessibility audit by name.
// Usage: node scripts/lighthouse.mjs [--url URL] [--json FILE]
//   without --url: builds the app and serves it as `npm start` does (scripts/serve-web.mjs, a free port);
//   --url: audits an app already served (e.g. by `npm start`: http://127.0.0.1:8080/).
// Exit status 1 when Chromium is missing or the audit fails.
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { buildWeb } from './build-web.mjs';
import { serveWeb } from './serve-web.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const { values } = parseArgs({ options: { url: { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  console.log('Usage: node scripts/lighthouse.mjs [--url URL] [--json FILE]');
  process.exit(0);
}
if (!existsSync(CHROMIUM)) {
  console.error(`lighthouse: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  process.exit(1);
}

let server = null;
let url = values.url;
if (!url) {
  await buildWeb({ log: console.log });
  server = await serveWeb({ port: 0 });
  url = `${server.origin}/`;
}

const chrome = await chromeLauncher.launch({
  chromePath: CHROMIUM,
  // A fresh profile per run (chrome-launcher's default): no cache, no service worker from an earlier visit.
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let failed = false;
try {
  const result = await lighthouse(url, {
    port: chrome.port, output: 'json', logLevel: 'error',
    onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'],
  });
  const lhr = result?.lhr;
  if (!lhr) throw new Error('Lighthouse returned no result');
  if (lhr.runtimeError) throw new Error(`${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
  if (values.json) writeFileSync(values.json, result.report);
  const score = (c) => (lhr.categories[c]?.score == null ? 'n/a' : Math.round(lhr.categories[c].score * 100));
  const audit = (a) => lhr.audits[a];
  console.log(`Lighthouse ${lhr.lighthouseVersion} on ${url} (Chromium ${lhr.environment.hostUserAgent.match(/Chrome\/([\d.]+)/)?.[1] ?? '?'}, ${lhr.configSettings.formFactor}, ${lhr.configSettings.throttlingMethod} throttling)`);
  console.log(`performance ${score('performance')}, accessibility ${score('accessibility')}, best practices ${score('best-practices')}, SEO ${score('seo')}`);
  console.log(`CLS ${audit('cumulative-layout-shift').numericValue.toFixed(3)}, TBT ${Math.round(audit('total-blocking-time').numericValue)} ms, ` +
    `FCP ${Math.round(audit('first-contentful-paint').numericValue)} ms, LCP ${Math.round(audit('largest-contentful-paint').numericValue)} ms, ` +
    `${(audit('total-byte-weight').numericValue / 1e6).toFixed(2)} MB transferred`);
  for (const [id, ref] of Object.entries(lhr.categories).flatMap(([, c]) => c.auditRefs.map((r) => [r.id, r]))) {
    const a = lhr.audits[id];
    if (ref.weight > 0 && a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== 'informative') {
      console.log(`  below 90: ${id} (${a.displayValue ?? `score ${a.score}`}): ${a.title}`);
    }
  }
} catch (e) {
  console.error(`lighthouse: ${e.message ?? e}`);
  failed = true;
} finally {
  await chrome.kill();
  await server?.close();
}
process.exit(failed ? 1 : 0);
