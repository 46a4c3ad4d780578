import { providerSpec, type ProviderSpec } from '../core';
/** User settings (storage.local), shared by the background, the popup and the options page. */
export interface Settings {
  /** redact secrets in storage, the popup and exports (default on) */
  redact: boolean;
  /** system notification for critical findings */
  notifications: boolean;
  /** origins never observed */
  ignoreOrigins: string[];
  /** rule ids turned off */
  disabledRules: string[];
  /**
   * provider rows consulted before CoatCheck's provider table (docs/providers.md): to correct a
   * stale row before a release, or to describe a provider the table does not know
   */
  providers: ProviderSpec[];
}

export const DEFAULT_SETTINGS: Settings = { redact: true, notifications: true, ignoreOrigins: [], disabledRules: [], providers: [] };

export function normalizeSettings(v: unknown): Settings {
  const o = (v && typeof v === 'object' ? v : {}) as Partial<Settings>;
  const strings = (a: unknown) => (Array.isArray(a) ? a.filter((x): x is string => typeof x === 'string').slice(0, 500) : []);
  return {
    redact: typeof o.redact === 'boolean' ? o.redact : true,
    notifications: typeof o.notifications === 'boolean' ? o.notifications : true,
    ignoreOrigins: strings(o.ignoreOrigins),
    disabledRules: strings(o.disabledRules),
    providers: Array.isArray(o.providers) ? o.providers.slice(0, 50).map(providerSpec).filter((x): x is ProviderSpec => x !== undefined) : [],
  };
}

export type Message =
  | { type: 'ping' }
  | { type: 'getFindings'; tabId?: number }
  | { type: 'getFlows'; tabId?: number }
  | { type: 'getHops'; tabId?: number }
  | { type: 'getSummary'; tabId?: number }
  | { type: 'clear' }
  | { type: 'export'; format: 'json' | 'sarif' | 'har'; tabId?: number }
  | { type: 'getSettings' }
  | { type: 'setSettings'; settings: Partial<Settings> };
