// Types for lab/mcp/client.mjs (plain ESM JavaScript).
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
export declare function recordingFetch(o: { ca: string }): { fetch: typeof fetch; entries: unknown[]; refused: string[] };
export interface LabProviderOptions {
  redirectUrl: string;
  onRedirect: (url: URL) => Promise<void> | void;
  keepIssuer?: boolean;
  dropResource?: boolean;
  authMethod?: string;
  state?: () => string;
}
export declare function labProvider(o: LabProviderOptions): { provider: OAuthClientProvider; readonly info: { client_id?: string } | undefined; readonly tokens: { refresh_token?: string } | undefined };
export declare function connectMcp(o: { serverUrl: string; provider: OAuthClientProvider; fetch: typeof fetch; waitCode: () => Promise<string | undefined> }): Promise<{ outcome: 'connected' | 'error'; tools?: string[]; error?: string }>;
