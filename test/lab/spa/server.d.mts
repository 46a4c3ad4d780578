// Types for lab/spa/server.mjs.
export declare const SPA_CLIENT_ID: string;
export interface SpaLab {
  /** the oidc-provider issuer, http://127.0.0.1:<port> */
  issuer: string;
  /** the SPA origin, http://127.0.0.1:<port> */
  spa: string;
  errors: string[];
  close(): Promise<void>;
}
export declare function startSpaLab(opts?: { files?: Record<string, { type: string; body: () => string | Uint8Array }> }): Promise<SpaLab>;
