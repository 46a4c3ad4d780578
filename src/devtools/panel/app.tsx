/** The CoatCheck DevTools panel: flow timeline, tokens, findings, tools (paste box, PKCE). */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type Finding, type Flow, type MetadataRecord, parseUrl, sortFindings, type TokenReport } from '../../core';
import { Capture, analyseHar, exportHar } from '../model/capture';
import { jsonExport, mergeFindings, sarifExport } from '../model/export';
import { checkPkce } from '../model/pkce';
import { buildTimeline } from '../model/timeline';
import type { DiagramHop } from '../../core';
import { FlowDiagrams, panelDiagrams } from './diagrams';
import { collectTokens, decodeOrError, warningsFor, type TokenItem, type TokenUse, type Warning } from '../model/tokens';
import { knownDocsFrom, plannedFetches, verifyWithIssuer, verifyWithKey, type VerifyResult } from '../model/verify';
import { CardBoundary, FindingList, onListKeys, TimelineView, TokenCard, TokenErrorCard, type RevealState } from './components';
import { backgroundState, download, existingEntries, fetchJson, fetchText, listenNetwork, readParams, type PanelParams } from './sources';

type Tab = 'timeline' | 'tokens' | 'findings' | 'tools';
const TABS: [Tab, string][] = [
  ['timeline', 'Flows'],
  ['tokens', 'Tokens'],
  ['findings', 'Findings'],
  ['tools', 'Inspect & PKCE'],
];

const AUTO_VERIFY_KEY = 'coatcheck.autoVerify';

function loadAutoVerify(): boolean {
  try {
    return localStorage.getItem(AUTO_VERIFY_KEY) === '1';
  } catch {
    return false;
  }
}

export function App({ params: initial }: { params?: PanelParams }) {
  const params = useMemo(() => initial ?? readParams(location.search), [initial]);
  const capture = useRef(new Capture({ context: params.tabId !== undefined ? `tab:${params.tabId}` : undefined }));
  const [version, setVersion] = useState(0);
  const bump = () => setVersion((v) => v + 1);
  const [bg, setBg] = useState<{ findings: Finding[]; flows: Flow[]; hops: DiagramHop[]; reachable: boolean }>({ findings: [], flows: [], hops: [], reachable: false });
  const [tab, setTab] = useState<Tab>('timeline');
  const [revealAll, setRevealAll] = useState(false);
  const [revealed, setRevealed] = useState<Set<string>>(new Set());
  const [verify, setVerify] = useState<Map<string, VerifyResult | 'pending'>>(new Map());
  const [autoVerify, setAutoVerify] = useState(loadAutoVerify());
  const [source, setSource] = useState<'auto' | 'capture' | 'background'>('auto');
  const [status, setStatus] = useState<string>('');
  const [importName, setImportName] = useState<string | undefined>();
  const [now, setNow] = useState(Date.now());

  const reveal: RevealState = {
    all: revealAll,
    keys: revealed,
    toggle: (k) =>
      setRevealed((prev) => {
        const n = new Set(prev);
        if (n.has(k)) n.delete(k);
        else n.add(k);
        return n;
      }),
  };

  // theme
  useEffect(() => {
    if (params.theme) document.documentElement.dataset.theme = params.theme;
  }, [params.theme]);

  // live DevTools network capture
  useEffect(() => {
    if (!params.devtools) return;
    let pending = 0;
    const flush = () => {
      pending = 0;
      bump();
    };
    void existingEntries().then((entries) => {
      for (const e of entries) capture.current.addEntry(e);
      bump();
    });
    return listenNetwork((entry) => {
      capture.current.addEntry(entry);
      if (!pending) pending = window.setTimeout(flush, 150);
    });
  }, [params.devtools]);

  // ?har=<url>: offline analysis of a HAR the test (or a link) points at
  useEffect(() => {
    if (!params.harUrl) return;
    fetchText(params.harUrl)
      .then((text) => loadHar(text, params.harUrl!))
      .catch((e) => setStatus(`Cannot load ${params.harUrl}: ${e instanceof Error ? e.message : String(e)}`));
  }, [params.harUrl]);

  // the background's view of the tab (navigations, redirects, fragments), refreshed
  useEffect(() => {
    if (params.tabId === undefined) return;
    let stop = false;
    const poll = async () => {
      const s = await backgroundState(params.tabId);
      if (!stop) setBg(s);
    };
    void poll();
    const t = window.setInterval(poll, 2000);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [params.tabId]);

  // lifetimes tick
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 15000);
    return () => clearInterval(t);
  }, []);

  function loadHar(text: string, name: string) {
    const r = analyseHar(text);
    if ('error' in r) {
      setStatus(`${name}: ${r.error}`);
      return;
    }
    capture.current = r.capture;
    setImportName(name);
    setVerify(new Map());
    setStatus(`${name}: ${r.capture.entries.length} entries analysed${r.capture.errors.length ? `, ${r.capture.errors.length} skipped (${r.capture.errors[0]})` : ''}${r.capture.warnings.length ? `; ${r.capture.warnings.join('; ')}` : ''}`);
    bump();
  }

  const c = capture.current;
  const capFlows = useMemo(() => c.flows(), [c, version]);
  const capFindings = useMemo(() => [...c.findings], [c, version]);
  const useCapture = source === 'capture' || (source === 'auto' && (capFlows.length > 0 || bg.flows.length === 0));
  const flows = useCapture ? capFlows : bg.flows;
  const findings = useMemo(() => sortFindings(mergeFindings(capFindings, bg.findings)), [capFindings, bg.findings]);
  const timeline = useMemo(() => buildTimeline({ flows, findings, capture: useCapture ? c : undefined }), [flows, findings, useCapture, c, version]);
  const diagrams = useMemo(() => panelDiagrams(flows, findings, useCapture ? { capture: c } : { hops: bg.hops }), [flows, findings, useCapture, c, version, bg.hops]);
  const tokens = useMemo(() => collectTokens(c), [c, version]);
  const metadata = useMemo(() => [...c.engine.store.metadata.values()], [c, version]);
  const known = useMemo(() => knownDocsFrom(c.steps), [c, version]);

  // origins the user allowed for key fetches in this panel session (private hosts, http, another
  // site): a token alone never makes the panel fetch them (core/util/fetch-policy)
  const [allowedOrigins, setAllowedOrigins] = useState<string[]>([]);
  const runVerify = async (id: string, raw: string, iss: unknown, allow: readonly string[] = allowedOrigins) => {
    setVerify((m) => new Map(m).set(id, 'pending'));
    const r = await verifyWithIssuer(raw, iss, known, fetchJson, { allowedOrigins: allow });
    setVerify((m) => new Map(m).set(id, r));
  };
  const allowAndVerify = (id: string, raw: string, iss: unknown) => (origin: string) => {
    const next = [...allowedOrigins, origin];
    setAllowedOrigins(next);
    void runVerify(id, raw, iss, next);
  };

  useEffect(() => {
    if (!autoVerify) return;
    for (const t of tokens) {
      if (t.report?.kind !== 'JWS' || verify.has(t.id)) continue;
      const iss = issOf(t.report);
      if (typeof iss === 'string') void runVerify(t.id, t.raw, iss);
    }
  }, [autoVerify, tokens]);

  const exportName = (ext: string) => `coatcheck-${params.tabId !== undefined ? `tab${params.tabId}-` : ''}${new Date().toISOString().replace(/[:.]/g, '-')}.${ext}`;
  const sourceName = importName ?? (params.tabId !== undefined ? `devtools:tab/${params.tabId}` : 'devtools');

  return (
    <div class="app">
      <div class="toolbar" role="toolbar" aria-label="CoatCheck">
        <strong class="brand">CoatCheck</strong>
        <span class="muted" data-testid="source-status">
          {importName ? `HAR ${importName}` : params.devtools ? `tab ${params.tabId}` : params.tabId !== undefined ? `tab ${params.tabId} (background)` : 'offline'}
          {' · '}
          {c.entries.length} requests · {findings.length} findings{bg.reachable ? ` · background: ${bg.flows.length} flows` : ''}
        </span>
        <span class="spacer" />
        <label class="file">
          Import HAR
          <input
            type="file"
            accept=".har,application/json"
            data-testid="import-har"
            onChange={async (e) => {
              const f = (e.currentTarget as HTMLInputElement).files?.[0];
              if (f) loadHar(await f.text(), f.name);
            }}
          />
        </label>
        <button type="button" onClick={() => download(exportName('json'), jsonExport(findings, flows, sourceName, c.entries.length))}>Export JSON</button>
        <button type="button" onClick={() => download(exportName('sarif'), sarifExport(findings, flows, sourceName, c.entries.length, 'https://github.com/coatcheck/coatcheck/blob/main/docs/rules/'), 'application/sarif+json')}>Export SARIF</button>
        <button type="button" title="The HAR holds the captured values in full (secrets included)" onClick={() => download(exportName('har'), JSON.stringify(exportHar(c.entries), null, 1))}>
          Export HAR
        </button>
        <button
          type="button"
          onClick={() => {
            c.clear();
            setImportName(undefined);
            setVerify(new Map());
            setStatus('');
            bump();
          }}
        >
          Clear
        </button>
        <label>
          <input type="checkbox" checked={revealAll} onChange={(e) => setRevealAll((e.currentTarget as HTMLInputElement).checked)} /> Reveal values
        </label>
        <label title="Fetch each signed token's issuer metadata and JWKS and verify it automatically: public https hosts only; a private, http or cross-site key URL waits for you to allow its origin">
          <input
            type="checkbox"
            checked={autoVerify}
            onChange={(e) => {
              const v = (e.currentTarget as HTMLInputElement).checked;
              setAutoVerify(v);
              try {
                localStorage.setItem(AUTO_VERIFY_KEY, v ? '1' : '0');
              } catch {
                /* storage blocked */
              }
            }}
          />{' '}
          Auto-verify
        </label>
        {bg.reachable && capFlows.length > 0 && (
          <label>
            Flows from{' '}
            <select value={source} onChange={(e) => setSource((e.currentTarget as HTMLSelectElement).value as typeof source)}>
              <option value="auto">auto</option>
              <option value="capture">DevTools capture</option>
              <option value="background">background</option>
            </select>
          </label>
        )}
      </div>
      {status && (
        <p class="status" role="status" data-testid="status">
          {status}
        </p>
      )}
      <nav class="tabs" role="tablist" aria-label="Views" onKeyDown={(e) => onListKeys(e as unknown as KeyboardEvent & { currentTarget: HTMLElement }, '[role=tab]')}>
        {TABS.map(([id, label]) => (
          <button key={id} type="button" role="tab" id={`tab-${id}`} aria-selected={tab === id} aria-controls={`view-${id}`} tabIndex={tab === id ? 0 : -1} onClick={() => setTab(id)} onFocus={() => setTab(id)}>
            {label}
            {id === 'findings' && findings.length > 0 ? ` (${findings.length})` : ''}
            {id === 'tokens' && tokens.length > 0 ? ` (${tokens.length})` : ''}
          </button>
        ))}
      </nav>
      <section class="view" id={`view-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`}>
        {tab === 'timeline' && (
          <>
            <FlowDiagrams diagrams={diagrams} findings={findings} />
            <TimelineView timeline={timeline} reveal={reveal} />
          </>
        )}
        {tab === 'tokens' && (
          <div>
            {tokens.length === 0 && <p class="muted">No JWT, JWS or JWE seen yet (token responses need this panel open, or an imported HAR).</p>}
            {tokens.map((t) => (
              <CardBoundary key={t.id} what={`token (${tokenTitle(t)})`}>
                <TokenEntry
                  t={t}
                  context={`${parseUrl(t.url)?.host ?? "?"} · ${t.flowId ? `flow ${t.flowId}` : 'no flow'}${t.clientId ? ` · client_id ${t.clientId}` : ''}`}
                  warnings={() => warningsFor(t, { metadata, now, endpoint: c.stepByObsId(t.obsId)?.msg.endpoint })}
                  reveal={reveal}
                  now={now}
                  verify={verify.get(t.id)}
                  onVerify={() => void runVerify(t.id, t.raw, issOf(t.report))}
                  onAllow={allowAndVerify(t.id, t.raw, issOf(t.report))}
                  fetches={plannedFetches(issOf(t.report), known)}
                />
              </CardBoundary>
            ))}
          </div>
        )}
        {tab === 'findings' && <FindingList findings={findings} empty="No findings." />}
        {tab === 'tools' && <Tools reveal={reveal} now={now} flows={flows} metadata={metadata} known={known} />}
      </section>
    </div>
  );
}

function issOf(r: TokenReport | undefined): unknown {
  return r?.payload && typeof r.payload === 'object' ? r.payload.iss : undefined;
}

/**
 * One token of the capture: its card, or the card saying why it was not decoded. Warnings are
 * computed here, inside the card's boundary, so a token that breaks them breaks only its card.
 */
function TokenEntry(props: { t: TokenItem; title?: string; context: string; warnings: () => Warning[]; reveal: RevealState; now: number; verify?: VerifyResult | 'pending'; onVerify: () => void; onAllow?: (origin: string) => void; fetches?: string[] }) {
  const { t, reveal } = props;
  const title = props.title ?? tokenTitle(t);
  if (!t.report) return <TokenErrorCard id={t.id} title={title} raw={t.raw} error={t.error ?? 'not decoded'} reveal={reveal} context={props.context} />;
  return <TokenCard id={t.id} title={title} context={props.context} raw={t.raw} report={t.report} warnings={props.warnings()} reveal={reveal} now={props.now} verify={props.verify} onVerify={props.onVerify} onAllow={props.onAllow} fetches={props.fetches} />;
}

function tokenTitle(t: TokenItem): string {
  const names: Record<string, string> = { id_token: 'ID token', access_token: 'Access token', refresh_token: 'Refresh token', client_assertion: 'Client assertion', assertion: 'JWT bearer assertion', request: 'Request object', logout_token: 'Logout token', response: 'JARM response', Authorization: 'Bearer token (Authorization header)', DPoP: 'DPoP proof' };
  return names[t.name] ?? t.name;
}

function Tools({ reveal, now, flows, metadata, known }: { reveal: RevealState; now: number; flows: Flow[]; metadata: MetadataRecord[]; known: ReturnType<typeof knownDocsFrom> }) {
  const [text, setText] = useState('');
  const [clientId, setClientId] = useState('');
  const [use, setUse] = useState<TokenUse>('id_token');
  const [recv, setRecv] = useState('');
  const [result, setResult] = useState<VerifyResult | 'pending' | undefined>();
  const [allowed, setAllowed] = useState<string[]>([]);
  const [keyText, setKeyText] = useState('');
  const [payloadText, setPayloadText] = useState('');
  const [keyResult, setKeyResult] = useState<VerifyResult | 'pending' | undefined>();
  const [verifier, setVerifier] = useState('');
  const [challenge, setChallenge] = useState('');
  const [method, setMethod] = useState('S256');
  const raw = text.trim().replace(/^bearer\s+/i, '');
  const decoded = raw ? decodeOrError(raw) : {};
  const report = decoded.report;
  const item: TokenItem | undefined = report
    ? { id: 'paste', name: use === 'assertion' ? 'client_assertion' : use, use, obsId: '', url: recv || 'the Tools tab', time: now, raw, report, clientId: clientId || undefined, frontChannel: false }
    : undefined;
  const pk = verifier.trim() ? checkPkce(verifier, challenge || undefined, method) : undefined;
  return (
    <div class="tools">
      <section aria-labelledby="paste-h">
        <h3 id="paste-h">Inspect a token</h3>
        <label class="block">
          JWT, JWS or JWE (compact or JSON serialization)
          <textarea
            rows={4}
            data-testid="paste-input"
            value={text}
            onInput={(e) => {
              setText((e.currentTarget as HTMLTextAreaElement).value);
              setResult(undefined);
            }}
            spellcheck={false}
          />
        </label>
        <div class="row">
          <label>
            It is a{' '}
            <select value={use} onChange={(e) => setUse((e.currentTarget as HTMLSelectElement).value as TokenUse)} data-testid="paste-use">
              <option value="id_token">ID token</option>
              <option value="access_token">access token</option>
              <option value="assertion">client assertion</option>
              <option value="unknown">something else</option>
            </select>
          </label>
          <label>
            client_id <input value={clientId} onInput={(e) => setClientId((e.currentTarget as HTMLInputElement).value)} data-testid="paste-client-id" placeholder={flows[0]?.clientId ?? ''} />
          </label>
          {use === 'assertion' && (
            <label>
              sent to <input value={recv} onInput={(e) => setRecv((e.currentTarget as HTMLInputElement).value)} placeholder="https://as.example/par" />
            </label>
          )}
        </div>
        {raw && !report && (
          <p class="bad" role="status">
            Not a JWT/JWS/JWE this panel can decode{decoded.error ? `: ${decoded.error}` : '.'}
          </p>
        )}
        {item && (
          <CardBoundary key={raw} what="pasted token">
            <TokenEntry
              t={item}
              title="Pasted token"
              context=""
              warnings={() => warningsFor(item, { metadata, now, endpoint: use === 'assertion' ? 'unknown' : undefined })}
              reveal={reveal}
              now={now}
              verify={result}
              onVerify={async () => {
                setResult('pending');
                setResult(await verifyWithIssuer(raw, issOf(item.report), known, fetchJson, { allowedOrigins: allowed }));
              }}
              onAllow={async (origin) => {
                const next = [...allowed, origin];
                setAllowed(next);
                setResult('pending');
                setResult(await verifyWithIssuer(raw, issOf(item.report), known, fetchJson, { allowedOrigins: next }));
              }}
              fetches={plannedFetches(issOf(item.report), known)}
            />
          </CardBoundary>
        )}
      </section>
      {report?.kind === 'JWS' && (
        <section aria-labelledby="keyverify-h" data-testid="key-verify">
          <h3 id="keyverify-h">Verify with a key you have{report.detached ? ' (detached payload)' : ''}</h3>
          <label class="block">
            Key: JWK, JWKS or PEM (stays in this panel)
            <textarea rows={3} data-testid="key-input" value={keyText} spellcheck={false} onInput={(e) => { setKeyText((e.currentTarget as HTMLTextAreaElement).value); setKeyResult(undefined); }} />
          </label>
          {report.detached && (
            <label class="block">
              Detached payload, exactly as signed (RFC 7515 App. F; RFC 7797 b64=false as in x-jws-signature)
              <textarea rows={3} data-testid="payload-input" value={payloadText} spellcheck={false} onInput={(e) => { setPayloadText((e.currentTarget as HTMLTextAreaElement).value); setKeyResult(undefined); }} />
            </label>
          )}
          <button
            type="button"
            data-testid="key-verify-btn"
            disabled={keyResult === 'pending'}
            onClick={async () => {
              setKeyResult('pending');
              setKeyResult(await verifyWithKey(raw, keyText, report.detached ? payloadText : undefined));
            }}
          >
            Verify with this key
          </button>
          {keyResult && keyResult !== 'pending' && (
            <p class={`verify-result ${keyResult.verified === true ? 'ok' : keyResult.verified === false ? 'bad' : 'muted'}`} data-testid="key-verify-result" data-verified={String(keyResult.verified)} role="status">
              {keyResult.verified === true ? `Signature verified (${keyResult.alg ?? '?'}, kid ${keyResult.kid ?? '(none)'})` : keyResult.verified === false ? `Signature does NOT verify (${keyResult.alg ?? '?'}): ${keyResult.reason ?? ''}` : `Not verified: ${keyResult.reason ?? ''}`}
            </p>
          )}
        </section>
      )}
      <section aria-labelledby="pkce-h">
        <h3 id="pkce-h">PKCE checker</h3>
        <div class="row">
          <label>
            code_verifier <input value={verifier} onInput={(e) => setVerifier((e.currentTarget as HTMLInputElement).value)} data-testid="pkce-verifier" spellcheck={false} />
          </label>
          <label>
            code_challenge <input value={challenge} onInput={(e) => setChallenge((e.currentTarget as HTMLInputElement).value)} data-testid="pkce-challenge" spellcheck={false} />
          </label>
          <label>
            method{' '}
            <select value={method} onChange={(e) => setMethod((e.currentTarget as HTMLSelectElement).value)}>
              <option>S256</option>
              <option>plain</option>
            </select>
          </label>
        </div>
        {pk && (
          <div class="pkce" data-testid="pkce-result">
            {pk.match !== undefined && <p class={pk.match ? 'ok' : 'bad'}>{pk.match ? 'The verifier matches the challenge.' : 'The verifier does NOT match the challenge.'}</p>}
            <p>
              {pk.method}(verifier) = <code>{pk.computed}</code>
            </p>
            <p>
              {pk.verifierLength} characters, at most {pk.entropyBits} bits of entropy.
            </p>
            {pk.problems.length > 0 && (
              <ul>
                {pk.problems.map((p, i) => (
                  <li key={i} class="warn">
                    {p}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </section>
    </div>
  );
}
