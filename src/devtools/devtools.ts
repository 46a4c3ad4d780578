// The DevTools page: registers the CoatCheck panel. The panel page itself does the work.
const api = (globalThis as unknown as { browser?: typeof chrome }).browser?.devtools ? (globalThis as unknown as { browser: typeof chrome }).browser : chrome;
try {
  api.devtools.panels.create('CoatCheck', '', 'src/devtools/panel.html', () => {
    void chrome.runtime?.lastError;
  });
} catch {
  // Firefox's promise-based API without a callback
  void (api.devtools.panels.create as unknown as (t: string, i: string, p: string) => Promise<unknown>)('CoatCheck', '', 'src/devtools/panel.html');
}
