/** Panel components (Preact). Logic lives in ../model; these only render it. */
import { Component, type ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { type Finding, redactValue, type TokenReport } from '../../core';
import type { ParamRow, Timeline, TimelineGroup, TimelineStep } from '../model/timeline';
import { tokenView, type Warning } from '../model/tokens';
import type { VerifyResult } from '../model/verify';
import { copyText } from './sources';
import { TableBasis } from '../../ui/TableBasis';

export interface RevealState {
  all: boolean;
  keys: Set<string>;
  toggle(key: string): void;
}

const ALREADY_REDACTED = /…#[0-9a-f]{8}/;
const SECRET_CLAIMS = new Set(['nonce', 'sid', 'at_hash', 'c_hash', 's_hash', 'jti', 'code', 'state']);

/** A secret value: redacted until the user reveals it; Copy copies the real value. */
export function Secret({ value, id, reveal }: { value: string; id: string; reveal: RevealState }) {
  const [copied, setCopied] = useState(false);
  const pre = ALREADY_REDACTED.test(value);
  const shown = pre || reveal.all || reveal.keys.has(id);
  return (
    <span class="secret">
      <code class={shown ? 'val' : 'val redacted'} data-testid="secret-value">{shown ? value : redactValue(value)}</code>
      {!pre && !reveal.all && (
        <button type="button" class="mini" aria-pressed={shown} onClick={() => reveal.toggle(id)} title={shown ? 'Hide the value' : 'Show the full value'}>
          {shown ? 'Hide' : 'Reveal'}
        </button>
      )}
      {!pre && (
        <button
          type="button"
          class="mini"
          onClick={async () => {
            setCopied(await copyText(value));
            setTimeout(() => setCopied(false), 1200);
          }}
          title="Copy the full value"
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      )}
    </span>
  );
}

export function SeverityBadge({ s }: { s: Warning['severity'] }) {
  return <span class={`sev sev-${s}`}>{s}</span>;
}

export function ParamTable({ params, idPrefix, reveal }: { params: ParamRow[]; idPrefix: string; reveal: RevealState }) {
  if (params.length === 0) return <p class="muted">No parameters.</p>;
  return (
    <table class="params">
      <thead>
        <tr>
          <th scope="col">parameter</th>
          <th scope="col">value</th>
          <th scope="col">from</th>
        </tr>
      </thead>
      <tbody>
        {params.map((p, i) => (
          <tr key={`${p.name}-${i}`}>
            <th scope="row">{p.name}</th>
            <td>{p.secret ? <Secret value={p.value} id={`${idPrefix}:${p.name}:${i}`} reveal={reveal} /> : <code class="val">{p.value}</code>}</td>
            <td class="muted">{p.source}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function FindingItem({ f }: { f: Finding }) {
  return (
    <li class={`finding sev-border-${f.severity}`} data-testid="finding" data-rule={f.ruleId}>
      <div class="finding-head">
        <SeverityBadge s={f.severity} /> <strong>{f.title}</strong> <code class="rule">{f.ruleId}</code>
        {f.confidence === 'heuristic' && <span class="muted"> (heuristic)</span>}
      </div>
      <p>{f.message}</p>
      {f.providerTable && <TableBasis basis={f.providerTable} />}
      {f.evidence.length > 0 && (
        <ul class="evidence">
          {f.evidence.map((e, i) => (
            <li key={i}>
              <code class="val">{e.url}</code>
              {e.param && <span> · {e.param}</span>}
              {e.value && <span> = <code>{e.value}</code></span>}
              {e.note && <span class="muted"> — {e.note}</span>}
            </li>
          ))}
        </ul>
      )}
      {f.references.length > 0 && <p class="muted refs">{f.references.join(' · ')}</p>}
    </li>
  );
}

export function FindingList({ findings, empty }: { findings: readonly Finding[]; empty?: string }) {
  if (findings.length === 0) return empty ? <p class="muted">{empty}</p> : null;
  return (
    <ul class="findings">
      {findings.map((f, i) => (
        <CardBoundary key={`${f.ruleId}-${i}`} what={`finding ${f.ruleId}`}>
          <FindingItem f={f} />
        </CardBoundary>
      ))}
    </ul>
  );
}

/**
 * One card's error stays in that card: a hostile token or finding that breaks its own rendering
 * shows a line saying so, and every other card (and the panel) goes on.
 */
export class CardBoundary extends Component<{ what: string; children?: ComponentChildren }, { error?: string }> {
  override state: { error?: string } = {};
  override componentDidCatch(e: unknown) {
    this.setState({ error: e instanceof Error ? e.message : String(e) });
  }
  render() {
    if (this.state.error !== undefined) {
      return (
        <p class="status bad card-error" role="alert" data-testid="card-error">
          This {this.props.what} could not be shown: {this.state.error.slice(0, 200)}
        </p>
      );
    }
    return this.props.children;
  }
}

/** A token seen in the traffic that could not be decoded (too large, malformed, nested too deep). */
export function TokenErrorCard({ id, title, raw, error, reveal, context }: { id: string; title: string; raw: string; error: string; reveal: RevealState; context?: string }) {
  return (
    <article class="token" data-testid="token-card" data-token-error="" aria-label={title}>
      <header>
        <h3>{title}</h3>
        <span class="pill bad">not decoded</span> <span class="pill">{raw.length.toLocaleString('en')} characters</span>
      </header>
      {context && <p class="muted">{context}</p>}
      <p class="bad" role="status" data-testid="token-error">
        {error}
      </p>
      <p>
        <Secret value={raw.length > 4096 ? raw.slice(0, 4096) : raw} id={`${id}:raw`} reveal={reveal} />
      </p>
    </article>
  );
}

/** Arrow keys move between the rows of a list (roving focus); Home/End jump. */
export function onListKeys(e: KeyboardEvent & { currentTarget: HTMLElement }, selector: string): void {
  if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key)) return;
  const root = e.currentTarget;
  const rows = Array.from(root.querySelectorAll<HTMLElement>(selector));
  const i = rows.indexOf(document.activeElement as HTMLElement);
  if (i < 0) return;
  e.preventDefault();
  const next = e.key === 'Home' ? 0 : e.key === 'End' ? rows.length - 1 : Math.max(0, Math.min(rows.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)));
  rows[next]?.focus();
}

function fmtTime(t: number): string {
  if (!t) return '';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(11, 23);
}

function StepRow({ step, reveal, open, onToggle, children }: { step: TimelineStep; reveal: RevealState; open: boolean; onToggle(): void; children?: ComponentChildren }) {
  return (
    <li class={`step kind-${step.kind}`} data-testid="timeline-step" data-kind={step.kind}>
      <button type="button" class="step-row" aria-expanded={open} onClick={onToggle}>
        <span class="time">{fmtTime(step.time)}</span>
        <span class="label">{step.label}</span>
        {step.method && <span class="method">{step.method}</span>}
        {step.status !== undefined && <span class="http-status">{step.status}</span>}
        <span class="host">{step.host}</span>
        {step.worst && (
          <span class={`sev sev-${step.worst}`} aria-label={`${step.findings.length + step.warnings.length} problem(s), worst ${step.worst}`}>
            {step.findings.length + step.warnings.length} {step.worst}
          </span>
        )}
      </button>
      {open && (
        <div class="step-detail">
          <p>
            <code class="val url">{step.url}</code>
          </p>
          <WarningList warnings={step.warnings} />
          <ParamTable params={step.params} idPrefix={step.key} reveal={reveal} />
          <FindingList findings={step.findings} />
          {children}
        </div>
      )}
    </li>
  );
}

function Group({ g, reveal, open, toggle }: { g: TimelineGroup; reveal: RevealState; open: Set<string>; toggle(k: string): void }) {
  return (
    <section class="flow" style={{ marginLeft: `${g.depth * 1.2}em` }} aria-label={g.title} data-testid="flow">
      <h3>{g.title}</h3>
      {g.facts.length > 0 && (
        <dl class="facts">
          {g.facts.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>
                <code>{v}</code>
              </dd>
            </div>
          ))}
        </dl>
      )}
      <ol class="steps" onKeyDown={(e) => onListKeys(e, '.step-row')}>
        {g.steps.map((s) => (
          <StepRow key={s.key} step={s} reveal={reveal} open={open.has(s.key)} onToggle={() => toggle(s.key)} />
        ))}
      </ol>
      {g.findings.length > 0 && (
        <>
          <h4>Flow findings</h4>
          <FindingList findings={g.findings} />
        </>
      )}
      {g.children.map((c) => (
        <Group key={c.key} g={c} reveal={reveal} open={open} toggle={toggle} />
      ))}
    </section>
  );
}

export function TimelineView({ timeline, reveal }: { timeline: Timeline; reveal: RevealState }) {
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (k: string) =>
    setOpen((prev) => {
      const n = new Set(prev);
      if (n.has(k)) n.delete(k);
      else n.add(k);
      return n;
    });
  const nothing = timeline.groups.length === 0 && timeline.other.steps.length === 0;
  return (
    <div class="timeline">
      {nothing && <p class="muted">No OAuth traffic yet. Keep this panel open and run the login; or import a HAR file.</p>}
      {timeline.groups.map((g) => (
        <Group key={g.key} g={g} reveal={reveal} open={open} toggle={toggle} />
      ))}
      {timeline.other.steps.length > 0 && <Group g={timeline.other} reveal={reveal} open={open} toggle={toggle} />}
      {timeline.loose.length > 0 && (
        <section class="flow">
          <h3>Findings without a step in this view</h3>
          <FindingList findings={timeline.loose} />
        </section>
      )}
    </div>
  );
}

export function WarningList({ warnings }: { warnings: Warning[] }) {
  if (warnings.length === 0) return null;
  return (
    <ul class="warnings" role="list">
      {warnings.map((w, i) => (
        <li key={i} class={`warning sev-border-${w.severity}`} data-testid="warning" data-rule={w.ruleId ?? ''} role={w.severity === 'critical' || w.severity === 'high' ? 'alert' : undefined}>
          <SeverityBadge s={w.severity} /> <strong>{w.title}</strong>
          <p>{w.message}</p>
        </li>
      ))}
    </ul>
  );
}

export function TokenCard(props: {
  id: string;
  title: string;
  raw: string;
  report: TokenReport;
  warnings: Warning[];
  reveal: RevealState;
  now: number;
  verify?: VerifyResult | 'pending';
  onVerify?: () => void;
  /** allow an origin the verification refused to fetch, and verify again */
  onAllow?: (origin: string) => void;
  /** what verifying would fetch (empty: the capture holds the keys) */
  fetches?: string[];
  context?: string;
}) {
  const { id, title, raw, report, warnings, reveal, now, verify, onVerify, onAllow, fetches } = props;
  const v = tokenView(report, now);
  return (
    <article class="token" data-testid="token-card" aria-label={title}>
      <header>
        <h3>{title}</h3>
        <span class="pill">{v.kind}</span> <span class="pill">alg {v.alg}</span>
        {v.kid && <span class="pill">kid {v.kid}</span>}
        {v.typ && <span class="pill">typ {v.typ}</span>}
        {v.lifetime && <span class={v.expired ? 'pill bad' : 'pill'} data-testid="lifetime">{v.lifetime}</span>}
      </header>
      {props.context && <p class="muted">{props.context}</p>}
      <p>
        <Secret value={raw} id={`${id}:raw`} reveal={reveal} />
      </p>
      <WarningList warnings={warnings} />
      {v.kind === 'JWE' ? (
        <>
          <h4>Protected header</h4>
          <ClaimTable rows={v.header} idPrefix={`${id}:h`} reveal={reveal} />
          <p class="keyhint" data-testid="jwe-key-hint">{v.keyHint}</p>
        </>
      ) : (
        <>
          <div class="cols">
            <div>
              <h4>Header</h4>
              <ClaimTable rows={v.header} idPrefix={`${id}:h`} reveal={reveal} />
            </div>
            <div>
              <h4>Claims</h4>
              {v.payloadText !== undefined ? <pre>{v.payloadText}</pre> : <ClaimTable rows={v.claims} idPrefix={`${id}:c`} reveal={reveal} />}
            </div>
          </div>
          {onVerify && (
            <div class="verify">
              <button type="button" onClick={onVerify} disabled={verify === 'pending'} data-testid="verify-btn">
                {verify === 'pending' ? 'Verifying…' : "Verify signature with the issuer's JWKS"}
              </button>
              {fetches && fetches.length > 0 && (!verify || verify === 'pending') && (
                <span class="muted" data-testid="verify-fetches">
                  {' '}
                  fetches {fetches.join(', then ')}
                </span>
              )}
              {verify && verify !== 'pending' && <VerifyLine r={verify} />}
              {verify && verify !== 'pending' && verify.blocked?.origin && onAllow && (
                <button type="button" data-testid="verify-allow" onClick={() => onAllow(verify.blocked!.origin!)}>
                  Allow {verify.blocked.origin} and verify
                </button>
              )}
            </div>
          )}
        </>
      )}
    </article>
  );
}

function VerifyLine({ r }: { r: VerifyResult }) {
  const cls = r.verified === true ? 'ok' : r.verified === false ? 'bad' : 'muted';
  const text =
    r.verified === true
      ? `Signature verified (${r.alg ?? '?'}, kid ${r.kid ?? '(none)'}) with the JWKS at ${r.jwksUri} (${r.keysFrom === 'capture' ? 'seen in this capture' : 'fetched now'})`
      : r.verified === false
        ? `Signature does NOT verify (${r.alg ?? '?'}, kid ${r.kid ?? '(none)'}): ${r.reason ?? ''}. Keys at ${r.jwksUri}: ${r.availableKids.join(', ')}`
        : `Not verified: ${r.reason ?? 'unknown reason'}`;
  return (
    <p class={`verify-result ${cls}`} data-testid="verify-result" data-verified={String(r.verified)} role="status">
      {text}
    </p>
  );
}

function ClaimTable({ rows, idPrefix, reveal }: { rows: { name: string; value: string; human?: string }[]; idPrefix: string; reveal: RevealState }) {
  return (
    <table class="claims">
      <tbody>
        {rows.map((r) => (
          <tr key={r.name} data-claim={r.name}>
            <th scope="row">{r.name}</th>
            <td>
              {SECRET_CLAIMS.has(r.name) ? <Secret value={r.value} id={`${idPrefix}:${r.name}`} reveal={reveal} /> : <code class="val">{r.value}</code>}
              {r.human && <div class="human">{r.human}</div>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
