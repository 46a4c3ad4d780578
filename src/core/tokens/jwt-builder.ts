/** Test helper: build unsigned-looking compact JWTs (the signature is a placeholder; rules never verify). */
function b64url(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fakeJwt(header: Record<string, unknown>, payload: Record<string, unknown>, signature = 'c2lnbmF0dXJlLXBsYWNlaG9sZGVyLXZhbHVlLXh5eg'): string {
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.${signature}`;
}
