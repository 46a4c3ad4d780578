/** Test helpers for the CLI tests: HAR 1.2 documents from short entry specs. */
import { randomBytes } from 'node:crypto';

export interface EntrySpec {
  url: string;
  method?: string;
  status?: number;
  location?: string;
  form?: Record<string, string>;
  resourceType?: string;
  pageref?: string;
  responseJson?: object;
  at?: number;
  requestHeaders?: Record<string, string>;
}

export function rnd(n = 24): string {
  return randomBytes(n).toString('base64url');
}

export function harEntry(e: EntrySpec, i: number): object {
  const headers = Object.entries(e.requestHeaders ?? {}).map(([name, value]) => ({ name, value }));
  const respHeaders = e.location ? [{ name: 'Location', value: e.location }] : [];
  const body = e.form ? new URLSearchParams(e.form).toString() : undefined;
  return {
    pageref: e.pageref ?? 'page_1',
    startedDateTime: new Date(Date.UTC(2026, 0, 15, 10, 0, e.at ?? i)).toISOString(),
    time: 12.5,
    request: {
      method: e.method ?? (e.form ? 'POST' : 'GET'),
      url: e.url,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers,
      queryString: [],
      ...(body !== undefined ? { postData: { mimeType: 'application/x-www-form-urlencoded', text: body, params: Object.entries(e.form!).map(([name, value]) => ({ name, value })) } } : {}),
      headersSize: -1,
      bodySize: body?.length ?? 0,
    },
    response: {
      status: e.status ?? (e.location ? 302 : 200),
      statusText: '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: respHeaders,
      content: e.responseJson ? { size: 0, mimeType: 'application/json', text: JSON.stringify(e.responseJson) } : { size: 0, mimeType: 'text/html' },
      redirectURL: e.location ?? '',
      headersSize: -1,
      bodySize: -1,
    },
    cache: {},
    timings: { send: 0, wait: 10, receive: 2.5 },
    _resourceType: e.resourceType ?? (e.form ? 'document' : 'document'),
  };
}

export function har(entries: EntrySpec[], extra: { pages?: boolean } = {}): string {
  return JSON.stringify(
    {
      log: {
        version: '1.2',
        creator: { name: 'coatcheck-tests', version: '1' },
        ...(extra.pages === false ? {} : { pages: [{ startedDateTime: '2026-01-15T10:00:00.000Z', id: 'page_1', title: 'test', pageTimings: {} }] }),
        entries: entries.map(harEntry),
      },
    },
    null,
    1,
  );
}

export function q(p: Record<string, string>): string {
  return new URLSearchParams(p).toString();
}
