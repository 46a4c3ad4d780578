// Types for lab/capture.mjs.
export declare class CookieJar {
  cookies: { host: string; path: string; name: string; value: string }[];
  store(url: URL, setCookie: string): void;
  header(url: URL): string;
}
export interface HarEntryLike {
  pageref: string;
  startedDateTime: string;
  request: { method: string; url: string; headers: { name: string; value: string }[] };
  response: { status: number; headers: { name: string; value: string }[]; redirectURL: string };
  [k: string]: unknown;
}
export declare function navigateAndRecord(
  startUrl: string,
  opts: { pageref: string; ca: string; jar?: CookieJar; maxHops?: number },
): Promise<{ entries: HarEntryLike[]; finalUrl: string; finalStatus: number; body: string; jar: CookieJar }>;
export declare function toHar(
  pages: { id: string; title: string; startedDateTime: string }[],
  entries: HarEntryLike[],
): { log: { version: string; creator: { name: string; version: string }; pages: unknown[]; entries: HarEntryLike[] } };
