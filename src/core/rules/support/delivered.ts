/**
 * The credentials an authorization response delivers in a URL (state is no credential): what the
 * rules about a callback URL's later life look for (open-redirect-token-exfil, credential-in-history).
 */
export const DELIVERED = ['code', 'access_token', 'id_token'] as const;
export type DeliveredName = (typeof DELIVERED)[number];
/** how a finding's message names each */
export const DELIVERED_LABEL: Record<DeliveredName, string> = { code: 'authorization code', access_token: 'access token', id_token: 'ID token' };
