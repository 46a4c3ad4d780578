/**
 * G6 "late capture" (detectors.md §0.5), defined once for the "unsolicited" rules. Pure; not a rule.
 *
 * A capture may have started after the flow that a response answers when the capture's first entry
 * is less than 30 minutes before the response and the capture holds no authorization request of
 * this client (the origin of the response's redirect URI). The callback's tab (HAR: page) having
 * no earlier navigation is the common shape of that case (recording pressed in the middle of a
 * login) and is named in the reason. A capture that covers the 30 minutes before the response, or
 * that shows this client's authorization requests (with other states), keeps full severity: there
 * the missing request would have been seen.
 *
 * "The capture's first entry" is the store's `captureStart`: the earliest observation time of the
 * whole capture (a HAR scan: its earliest entry; the extension: the first traffic the worker saw
 * since the browser session started or the user cleared the findings; persisted with the store).
 */
import type { StoreView } from '../../flows/view';
import type { Observation } from '../../observe/observation';

/** the window a capture must cover before a response (§0.3 flow expiry) */
export const LATE_CAPTURE_WINDOW_MS = 30 * 60 * 1000;

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

/** Has the capture shown an authorization request of this client (a flow whose redirect URI is on its origin)? */
export function clientRequestSeen(store: StoreView, clientOrigin: string | undefined): boolean {
  if (!clientOrigin) return false;
  for (const f of store.flows.values()) if (f.client === clientOrigin) return true;
  return false;
}

/**
 * Why the capture may have started after the flow that `o` (a response into `clientOrigin`)
 * answers, or undefined when G6 does not apply and the rule keeps its full severity.
 */
export function lateCaptureReason(store: StoreView, o: Observation, clientOrigin: string | undefined): string | undefined {
  const start = store.captureStart ?? o.time;
  const covered = o.time - start;
  if (!(covered < LATE_CAPTURE_WINDOW_MS)) return undefined; // covers the 30 min before the response
  if (clientRequestSeen(store, clientOrigin)) return undefined; // this client's requests are in the capture
  const earlierNavigation = (store.hops.get(o.context) ?? []).some((h) => h.obsId !== o.id && h.time <= o.time);
  const client = clientOrigin ?? 'this client';
  const span = `the capture begins ${duration(covered)} before this response (less than 30 min) and holds no authorization request of ${client}`;
  return earlierNavigation ? span : `nothing in this tab or page was captured before this response; ${span}`;
}
