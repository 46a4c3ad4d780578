/**
 * Cheap, synchronous, non-verifying looks at compact JOSE strings. Used by the classifier (request
 * objects, front-channel ID tokens). Full decoding and verification live in ./decode.ts (jose).
 */
import { parseJsonObject } from '../util/json';

export function base64urlDecodeToString(s: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(s)) return undefined;
  try {
    const b64 = s.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
    const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
    const bin = atob(padded);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  } catch {
    return undefined;
  }
}


export function looksLikeJwe(s: string): boolean {
  return s.split('.').length === 5;
}

export function looksLikeJwt(s: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(s) || /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){4}$/.test(s);
}

export function decodeJwtHeaderUnsafe(s: string): Record<string, unknown> | undefined {
  const dot = s.indexOf('.');
  if (dot <= 0) return undefined;
  return parseJsonObject(base64urlDecodeToString(s.slice(0, dot)));
}

export function decodeJwtPayloadUnsafe(s: string): Record<string, unknown> | undefined {
  const parts = s.split('.');
  if (parts.length !== 3) return undefined;
  return parseJsonObject(base64urlDecodeToString(parts[1]));
}
