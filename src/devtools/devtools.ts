// The DevTools page: registers the CoatCheck panel. The panel page itself does the work.
type Api = typeof chrome;
const g = globalThis as unknown as { browser?: Api; chrome?: Api };
const api: Api | undefined = g.browser?.devtools ? g.browser : g.chrome;

/** Firefox wants a real icon path; Chrome accepts an empty one. Use the manifest's icon when there is one. */
function iconPath(): string {
  try {
    const icons = api?.runtime.getManifest().icons as Record<string, string> | undefined;
    if (!icons) return '';
    const sizes = Object.keys(icons).map(Number).sort((a, b) => Math.abs(a - 32) - Math.abs(b - 32));
    return sizes.length ? `/${icons[String(sizes[0])].replace(/^\//, '')}` : '';
  } catch {
    return '';
  }
}

if (api?.devtools?.panels) {
  const created = api.devtools.panels.create('CoatCheck', iconPath(), '/src/devtools/panel.html', () => {
    void api.runtime?.lastError;
  }) as unknown;
  // Firefox's browser.* returns a promise (and ignores the callback)
  if (created && typeof (created as Promise<unknown>).catch === 'function') void (created as Promise<unknown>).catch(() => undefined);
}
