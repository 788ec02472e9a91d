// Registers the service worker and reports, in the status line, when the app works offline
// (data-ready="true" once a service worker controls this page) and when a new deploy took over.

function askVersion(sw: ServiceWorker): Promise<string> {
  return new Promise((ok) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (e) => ok(String(e.data));
    sw.postMessage('version', [channel.port2]);
    setTimeout(() => ok('?'), 2000);
  });
}

export async function registerServiceWorker(status: HTMLElement): Promise<void> {
  if (!('serviceWorker' in navigator)) {
    status.textContent = 'Offline use is not available here (no service worker: it needs https or localhost).';
    return;
  }
  try {
    const hadController = navigator.serviceWorker.controller !== null;
    await navigator.serviceWorker.register('sw.js', { scope: './' });
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((ok) => navigator.serviceWorker.addEventListener('controllerchange', ok, { once: true }));
    }
    const version = await askVersion(navigator.serviceWorker.controller!);
    // Short enough for one line on a phone (a second line would push the page down as it appears).
    status.textContent = `Ready to work offline (version ${version.slice(0, 8)}).`;
    status.title = `App version ${version}`;
    status.dataset.ready = 'true';
    status.dataset.version = version;
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (!hadController) return;
      status.textContent = 'A new version of the app was installed: reload the page to use it.';
    });
  } catch (e) {
    status.textContent = `Offline use is unavailable: ${(e as Error).message}`;
  }
}
