// Types for lab/mcp/server.mjs (plain ESM JavaScript).
export declare const MCP_LAB_HOSTS: string[];
export declare const PRIVATE_PRM: string;
export interface McpLab {
  port: number;
  cert: string;
  origin(host: string): string;
  errors: string[];
  requests: { host: string; method: string; url: string }[];
  callbacks: { code?: string; state?: string; path: string }[];
  hub: { honestClientId?: string; stolen: string[] };
  switchAs(to: 'auth' | 'auth2'): void;
  nextCallback(): Promise<{ code?: string; state?: string; path: string }>;
  close(): Promise<void>;
}
export declare function startMcpLab(opts?: { port?: number }): Promise<McpLab>;
