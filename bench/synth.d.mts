/** Deterministic realistic browsing as HAR 1.2 entries, a login every `oauthEvery` visits; with `oauthDense`, OAuth exchanges only (see bench/README.md). */
export declare function harEntries(seed?: number, opts?: { oauthEvery?: number; oauthDense?: boolean }): Generator<Record<string, unknown>, never, unknown>;
/** Stream a HAR of at least `bytes` bytes to `path`. */
export declare function writeHar(path: string, bytes: number, seed?: number, opts?: { shuffleBlock?: number; oauthDense?: boolean }): Promise<{ entries: number; bytes: number }>;
