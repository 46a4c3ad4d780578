// Types for lab/index.mjs (the lab is plain ESM JavaScript; TypeScript tests import it through this).
export declare const LAB_HOSTS: string[];
export type ScenarioName = 'clean' | 'coat' | 'mixup' | 'forged' | 'implicit' | 'open-redirect' | 'brokered' | 'github' | 'google' | 'github-no-iss';
export interface Scenario {
  host: string;
  path: string;
  expect: readonly string[];
  quiet: boolean;
  endsAt: string;
}
export declare const SCENARIOS: Record<ScenarioName, Scenario>;
export type BrokerScenarioName = 'broker-shared' | 'broker-per-client' | 'broker-consent';
export interface BrokerScenario extends Scenario {
  /** the scenario to run before it, in the same browser */
  first: ScenarioName;
  /** the broker shows its consent page (#allow) on the way */
  consentPage: boolean;
}
export declare const BROKER_SCENARIOS: Record<BrokerScenarioName, BrokerScenario>;
export interface LabRequest {
  time: number;
  host: string;
  method: string;
  url: string;
  headers: Record<string, string | undefined>;
}
export interface LabRecord {
  kind: string;
  value: unknown;
  where: string;
  time: number;
}
export interface CallbackOutcome {
  path: string;
  solicited: boolean;
  context: string;
  redeemedAt: string;
  outcome: 'connected' | 'token-error';
  error?: string;
}
export interface Lab {
  port: number;
  origins: { platform: string; honest: string; attacker: string; broker: string; marketplace: string };
  cert: string;
  requests: LabRequest[];
  records: LabRecord[];
  platform: { outcomes: CallbackOutcome[] };
  attacker: { stolen: { code: string; codeVerifier: string | null; redirectUri: string | null; client?: string; time: number }[] };
  marketplace: { outcomes: { client: string; outcome: string; time: number }[] };
  /** the ordinary page (no OAuth) of the page-load benchmark: one document with `subresources` scripts, styles, images and JSON fetches */
  ordinary: { url: string; origin: string; subresources: number };
  scenarioUrl(name: ScenarioName): string;
  brokerScenarioUrl(name: BrokerScenarioName): string;
  /** provider rows for the GitHub- and Google-shaped lab hosts, in the extension's settings form */
  providerRows(): { id: string; name: string; endpoint: string; issuer: string; iss: { kind: 'always' | 'some-accounts'; since: string } | { kind: 'not-seen' }; checked: string; source?: string }[];
  issuedSecrets(): string[];
  issued: { codes(): string[]; tokens(): string[]; states(): string[] };
  errors(): LabRecord[];
  holdNextInteraction(): { reached: Promise<void>; release: () => void };
  close(): Promise<void>;
}
export declare function startLab(opts?: { port?: number; quiet?: boolean }): Promise<Lab>;
