import type { ChildProcess } from 'node:child_process';
export declare const FIREFOX_PATH: string;
export declare const DEBIAN_FIREFOX_PATH: string;
export declare function firefoxVersion(path?: string): string | undefined;
export declare function compareFirefoxVersions(a: string, b: string): number;
export declare function addonIdOf(dir: string): string;
export declare class Bidi {
  send(method: string, params?: object): Promise<any>;
}
export declare function fromRemote(v: unknown): any;
export interface Firefox {
  bidi: Bidi;
  proc: ChildProcess;
  profile: string;
  /** add-on id -> its fixed moz-extension UUID */
  uuids: Record<string, string>;
  installExtension(path: string): Promise<string>;
  evaluate(context: string, expression: string): Promise<any>;
  extensionBase(addonId: string): string;
  newTab(): Promise<string>;
  navigate(context: string, url: string): Promise<any>;
  playScenario(url: string, timeoutMs?: number): Promise<{ context: string; outcome: string; url: string }>;
  openExtensionPage(url: string): Promise<string>;
  waitForBackground(extContext: string, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}
export declare function launchFirefox(opts?: { headless?: boolean; extensions?: string[]; prefs?: Record<string, string | number | boolean> }): Promise<Firefox>;
