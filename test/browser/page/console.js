// Loaded first by page.html, as a classic script: records the page's console.error calls, uncaught errors
// and unhandled rejections in window.__consoleErrors, from the very start. WebKitWebDriver has no log API,
// so this is how test/browser/engines.ts reads a WebKit page's console errors (Chromium and Firefox report
// them to their drivers as well).
(() => {
  const errors = (window.__consoleErrors = []);
  const original = console.error.bind(console);
  console.error = (...args) => {
    errors.push(args.map(String).join(' '));
    original(...args);
  };
  window.addEventListener('error', (e) => errors.push(`uncaught: ${e.message} (${e.filename}:${e.lineno})`));
  window.addEventListener('unhandledrejection', (e) => errors.push(`unhandled rejection: ${String(e.reason)}`));
})();
