/**
 * The reading thread of `coatcheck scan` (har-thread.ts): reads the file it is given and sends its
 * entries' bytes to the scan's thread. Built on its own (dist/cli/har-scan-worker.js, a few KB), so
 * that it starts in milliseconds rather than loading the whole CLI.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fileChunks } from './scan-input';
import { serveHarRead, type HarThreadRequest } from './har-thread';

const req = workerData as HarThreadRequest;
if (parentPort) void serveHarRead(parentPort, fileChunks(req.path), req.opts);
