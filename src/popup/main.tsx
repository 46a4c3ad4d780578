/** The popup: the current tab's findings, worst first (`?tab=<id>` for another tab). */
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { buildDiagrams, type DiagramHop, type Finding, type Flow, sortFindings } from '../core';
import { download, getFindings, getFlows, getHops, targetTab } from '../ui/api';
import { diagramFor, FindingCard } from '../ui/FindingCard';

function App() {
  const [tab, setTab] = useState<number | undefined>();
  const [findings, setFindings] = useState<Finding[] | undefined>();
  const [flows, setFlows] = useState<Flow[]>([]);
  const [hops, setHops] = useState<DiagramHop[]>([]);
  useEffect(() => {
    let stop = false;
    const load = async () => {
      const t = await targetTab();
      // the tab's navigations too: the diagrams' interaction pages (login, consent) at an AS
      const [fs, fl, hs] = await Promise.all([getFindings(t), getFlows(t), getHops(t).catch(() => [])]);
      if (stop) return;
      setTab(t);
      setFindings(sortFindings(fs));
      setFlows(fl);
      setHops(hs);
    };
    void load();
    const timer = setInterval(() => void load(), 1500);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, []);
  const doc = (id: string) => browser.runtime.getURL(`src/rule-doc/index.html?rule=${encodeURIComponent(id)}`);
  const visible = (findings ?? []).filter((f) => f.severity !== 'info');
  const diagrams = useMemo(() => buildDiagrams(flows, { findings: findings ?? [], hops: () => hops }), [flows, findings, hops]);
  return (
    <main>
      <header>
        <img src="/public/icon-32.png" alt="" />
        <strong>CoatCheck</strong>
        <span class="sum" data-testid="summary">
          {findings === undefined ? 'loading…' : `${flows.length} flow${flows.length === 1 ? '' : 's'}, ${visible.length} finding${visible.length === 1 ? '' : 's'}`}
        </span>
      </header>
      {findings !== undefined && findings.length === 0 && (
        <p class="empty" data-testid="empty">
          {flows.length === 0 ? 'No OAuth flows seen in this tab' : `${flows.length} flow${flows.length === 1 ? '' : 's'}, nothing suspicious`}
        </p>
      )}
      <ul class="findings">
        {(findings ?? []).map((f) => (
          <FindingCard key={`${f.ruleId}-${f.time}-${f.flowId}`} finding={f} flow={flows.find((x) => x.id === f.flowId)} docHref={doc(f.ruleId)} diagram={diagramFor(f, diagrams)} />
        ))}
      </ul>
      <div class="actions">
        <button onClick={() => void download('json', tab)}>Export JSON</button>
        <button onClick={() => void download('sarif', tab)}>SARIF</button>
        <button onClick={() => void download('har', tab)}>HAR</button>
        <button onClick={() => void browser.runtime.openOptionsPage()}>Options</button>
      </div>
    </main>
  );
}

render(<App />, document.getElementById('app')!);
