/**
 * The marks of a flow diagram (diagram.ts), laid over its arrows once they are in time order:
 * the threads (a context value seen on several arrows, highlighted when it moved from one AS's
 * context into another's) and each finding on the arrow its evidence points at.
 */
import type { Arrow, ArrowFinding, Thread } from './diagram';
import { type Finding, type Severity, severityRank } from './finding';
import type { SourceRef } from '../observe/observation';

/** Values that identify a flow's context: equal values across arrows form a thread. */
export const THREAD_PARAMS = ['state', 'nonce', 'code_challenge', 'code'];

/** Threads of equal context values; sets each carrying label's `thread`. */
export function threadsOf(arrows: Arrow[], flowId: string): Thread[] {
  const threads: Thread[] = [];
  const byValue = new Map<string, Thread>();
  for (const a of arrows) {
    for (const l of a.labels) {
      if (!THREAD_PARAMS.includes(l.name)) continue;
      const key = `${l.name}\u0000${l.value}`;
      let t = byValue.get(key);
      if (!t) {
        t = { id: `t${byValue.size}`, param: l.name, value: l.value, arrows: [], lanes: [], cross: false };
        byValue.set(key, t);
      }
      if (!t.arrows.includes(a.id)) t.arrows.push(a.id);
      if (a.as && !t.lanes.includes(a.as)) t.lanes.push(a.as);
    }
  }
  const arrowById = new Map(arrows.map((a) => [a.id, a]));
  for (const t of byValue.values()) {
    if (t.arrows.length < 2) continue;
    t.cross = moved(t.arrows.map((id) => arrowById.get(id)!));
    t.id = `${flowId}:${t.param}:${threads.length}`;
    threads.push(t);
    for (const a of arrows) for (const l of a.labels) if (l.name === t.param && l.value === t.value && t.arrows.includes(a.id)) l.thread = t.id;
  }
  return threads;
}

/**
 * Did a value move from one AS's context into another's? It did when an arrow takes it to AS Y
 * after AS X ≠ Y had it, and X handed it on: X relayed the arrow to Y (an AS-to-AS redirect), or X
 * delivered it (a callback from X, then a token request to Y). A client that itself sends one
 * state to two ASes (a restart at another provider) reuses it, but nothing moved it.
 */
function moved(arrows: Arrow[]): boolean {
  for (let j = 1; j < arrows.length; j++) {
    const b = arrows[j];
    if (!b.as) continue;
    for (let i = 0; i < j; i++) {
      const a = arrows[i];
      if (!a.as || a.as === b.as) continue;
      if (b.from === a.as || a.from === a.as) return true;
    }
  }
  return false;
}

function refKey(r: SourceRef): string[] {
  const out: string[] = [];
  if (r.requestId !== undefined) out.push(`r:${r.requestId}`);
  if (r.entry !== undefined) out.push(`e:${r.input ?? 0}:${r.entry}`);
  return out;
}

/**
 * Put each finding of the diagram's flows on the arrow its evidence points at (the one observed
 * when the finding was raised first); the others of these flows are returned as unplaced. Another
 * flow's finding is left to that flow's diagram. Sorts each arrow's findings worst first.
 */
export function placeFindings(arrows: Arrow[], findings: readonly Finding[], flowIds: ReadonlySet<string>): { unplaced: ArrowFinding[]; worst?: Severity } {
  const byRef = new Map<string, Arrow[]>();
  for (const a of arrows)
    for (const k of refKey(a.ref)) {
      const l = byRef.get(k);
      if (l) l.push(a);
      else byRef.set(k, [a]);
    }
  const unplaced: ArrowFinding[] = [];
  let worst: Severity | undefined;
  for (const f of findings) {
    const mine = f.flowId !== null && flowIds.has(f.flowId);
    if (!mine && f.flowId !== null) continue; // another flow's finding is drawn in that flow's diagram
    const hits: Arrow[] = [];
    for (const ev of f.evidence ?? []) {
      const found: Arrow[] = [];
      for (const k of refKey(ev)) for (const a of byRef.get(k) ?? []) if (!found.includes(a)) found.push(a);
      if (found.length === 0) continue;
      // a browser keeps one request id for a whole redirect chain: the URL tells its hops apart
      const sameUrl = found.filter((a) => a.url === ev.url);
      const pool = sameUrl.length > 0 ? sameUrl : found;
      const hit = pool.find((a) => a.time === f.time) ?? pool[0];
      if (!hits.includes(hit)) hits.push(hit);
    }
    if (hits.length === 0 && !mine) continue;
    // the arrow observed when the finding was raised (evidence often cites earlier context first), else the last cited
    const hit = hits.find((a) => a.time === f.time) ?? hits[hits.length - 1];
    const af: ArrowFinding = { ruleId: f.ruleId, severity: f.severity, title: f.title, message: f.message };
    if (hit) {
      if (!hit.findings.some((x) => x.ruleId === af.ruleId && x.message === af.message)) hit.findings.push(af);
    } else if (!unplaced.some((x) => x.ruleId === af.ruleId && x.message === af.message)) unplaced.push(af);
    if (!worst || severityRank(f.severity) > severityRank(worst)) worst = f.severity;
  }
  for (const a of arrows) {
    a.findings.sort((x, y) => severityRank(y.severity) - severityRank(x.severity));
    a.severity = a.findings[0]?.severity;
  }
  return { unplaced, ...(worst ? { worst } : {}) };
}
