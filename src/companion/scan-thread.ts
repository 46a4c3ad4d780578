/**
 * `coatcheck scan` (and the library's scanHar) reads a HAR file on a second thread (har-thread.ts)
 * when the reading thread's script is there: dist/cli/har-scan-worker.js, built beside the CLI (the
 * library in dist/lib finds it in the same package). Run from the sources (the tests), bundled
 * elsewhere, or with COATCHECK_SCAN_THREADS=0, the file is read on the scan's thread as before.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { receiveHarRead, type HarThreadRequest } from './har-thread';
import type { HarReaderHandlers, HarReaderOptions, HarReadSummary } from './har-stream';

const CANDIDATES = ['./har-scan-worker.js', '../cli/har-scan-worker.js'];
let script: URL | null | undefined;

function scriptUrl(): URL | null {
  if (script === undefined) {
    script = null;
    for (const c of CANDIDATES) {
      const u = new URL(c, import.meta.url);
      if (u.protocol === 'file:' && existsSync(fileURLToPath(u))) {
        script = u;
        break;
      }
    }
  }
  return script;
}

export function threadedReadAvailable(): boolean {
  return process.env.COATCHECK_SCAN_THREADS !== '0' && scriptUrl() !== null;
}

/** The reading thread could not start (nothing was read): read on one thread instead. */
export class ReadingThreadUnavailable extends Error {
  constructor(cause: unknown) {
    super(`the reading thread did not start: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ReadingThreadUnavailable';
  }
}

/**
 * Read the HAR file at `path` on a reading thread; entries reach `handlers.onEntry` in order on
 * this one. Rejects with ReadingThreadUnavailable when the thread failed before sending anything.
 */
export async function readHarFileThreaded(path: string, handlers: HarReaderHandlers, opts: HarReaderOptions, onProgress?: (bytes: number, entries: number) => void): Promise<HarReadSummary> {
  const request: HarThreadRequest = { path, opts };
  const at = scriptUrl();
  if (!at) throw new Error('the reading thread is not built (dist/cli/har-scan-worker.js)');
  // no flags of this process (`--input-type`, `-e`, a profiler's) are passed on: the thread needs none
  const worker = new Worker(at, { workerData: request, execArgv: [] });
  let heard = false;
  worker.on('message', () => (heard = true));
  const r = receiveHarRead(worker, handlers, { onProgress });
  worker.on('error', (e) => r.fail(heard ? e : new ReadingThreadUnavailable(e)));
  worker.on('exit', (code) => r.fail(heard ? new Error(`the reading thread stopped early (exit code ${code})`) : new ReadingThreadUnavailable(`exit code ${code}`)));
  try {
    return await r.done;
  } finally {
    void worker.terminate();
  }
}
