/**
 * `coatcheck scan` reads a HAR file on a second thread (har-thread.ts) when the reading thread's
 * script is there (dist/cli/har-scan-worker.js, built beside the CLI). Run from the sources (the
 * tests) or with COATCHECK_SCAN_THREADS=0, the file is read on the scan's thread as before.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { receiveHarRead, type HarThreadRequest } from './har-thread';
import type { HarReaderHandlers, HarReaderOptions, HarReadSummary } from './har-stream';

const SCRIPT = new URL('./har-scan-worker.js', import.meta.url);
let present: boolean | undefined;

export function threadedReadAvailable(): boolean {
  if (process.env.COATCHECK_SCAN_THREADS === '0') return false;
  present ??= SCRIPT.protocol === 'file:' && existsSync(fileURLToPath(SCRIPT));
  return present;
}

/** Read the HAR file at `path` on a reading thread; entries reach `handlers.onEntry` in order on this one. */
export async function readHarFileThreaded(path: string, handlers: HarReaderHandlers, opts: HarReaderOptions, onProgress?: (bytes: number, entries: number) => void): Promise<HarReadSummary> {
  const request: HarThreadRequest = { path, opts };
  const worker = new Worker(SCRIPT, { workerData: request });
  const r = receiveHarRead(worker, handlers, { onProgress });
  worker.on('error', (e) => r.fail(e));
  worker.on('exit', (code) => r.fail(new Error(`the reading thread stopped early (exit code ${code})`)));
  try {
    return await r.done;
  } finally {
    void worker.terminate();
  }
}
