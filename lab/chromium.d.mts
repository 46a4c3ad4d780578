import type { BrowserContext, Page, Worker } from 'playwright-core';
export declare const CHROMIUM_PATH: string;
export declare const CHROMIUM_MISSING: string;
export declare function chromiumArgs(extensionDir?: string): string[];
export declare function waitForExtensionReady(worker: Worker, timeoutMs?: number): Promise<number>;
export declare function launchChromium(opts?: { extensionDir?: string; headless?: boolean; userDataDir?: string }): Promise<{
  context: BrowserContext;
  worker: Worker | undefined;
  extensionId: string | undefined;
  readyMs: number | undefined;
  close(): Promise<void>;
}>;
export declare function playScenario(context: BrowserContext, url: string, timeoutMs?: number): Promise<Page>;
export declare function openExtensionPage(context: BrowserContext, extensionId: string, path?: string): Promise<Page>;
export declare function tabIdFor(extPage: Page, urlPrefix: string): Promise<number | undefined>;
export declare function getFindings(extPage: Page, tabId?: number): Promise<any[]>;
export declare function stopServiceWorker(context: BrowserContext, extensionId: string): Promise<boolean>;
