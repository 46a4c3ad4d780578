// Types for lab/libs/server.mjs (plain ESM JavaScript).
export declare const LIB_HOSTS: string[];
export declare const TENANT: string;
export interface LibLab {
  port: number;
  origins: { authjs: string; rp: string; app: string; idp: string; kc: string; auth0: string; ms: string; evil: string };
  errors: string[];
  attacks: { mode: string; state: string | null; codeChallenge?: string | null }[];
  statelessOutcomes: { provider: string; ok: boolean; error?: string }[];
  authjsOutcomes: { ok: boolean; error?: string | null }[];
  authjsLogged: string[];
  startUrl(lib: 'oidc-client-ts' | 'keycloak' | 'auth0' | 'msal' | 'openid-client' | 'stateless' | 'authjs', params?: Record<string, string>): string;
  close(): Promise<void>;
}
export declare function startLibLab(opts?: { port?: number }): Promise<LibLab>;
