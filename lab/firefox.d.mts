import type { ChildProcess } from 'node:child_process';
export declare const FIREFOX_PATH: string;
export declare class Bidi {
  send(method: string, params?: object): Promise<any>;
}
export declare function fromRemote(v: unknown): any;
export interface Firefox {
  bidi: Bidi;
  proc: ChildProcess;
  profile: string;
  installExtension(path: string): Promise<string>;
  evaluate(context: string, expression: string): Promise<any>;
  chromeContext(): Promise<string>;
  extensionBase(addonId: string): Promise<string>;
  newTab(): Promise<string>;
  navigate(context: string, url: string): Promise<any>;
  playScenario(url: string, timeoutMs?: number): Promise<{ context: string; outcome: string; url: string }>;
  openExtensionPage(url: string): Promise<string>;
  close(): Promise<void>;
}
export declare function launchFirefox(opts?: { headless?: boolean }): Promise<Firefox>;
