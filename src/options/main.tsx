/** Options: redaction, ignore list, rules on/off, notifications, export, clear all data. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Settings } from '../background/settings';
import { requestNativeMessaging } from '../background/native-link';
import { allRules } from '../core';
import { ask, download, getSettings, setSettings } from '../ui/api';

function App() {
  const [s, setS] = useState<Settings | undefined>();
  const [status, setStatus] = useState('');
  useEffect(() => void getSettings().then(setS), []);
  if (!s) return <p>loading…</p>;
  const save = async (patch: Partial<Settings>) => {
    setS(await setSettings(patch));
    setStatus('saved');
  };
  return (
    <main>
      <h1>CoatCheck</h1>
      <fieldset>
        <legend>Privacy</legend>
        <label>
          <input type="checkbox" checked={s.redact} onChange={(e) => void save({ redact: (e.target as HTMLInputElement).checked })} /> Redact codes, tokens, states and
          nonces in storage, the popup and exports (a short prefix and a hash are kept)
        </label>
        <label>
          <input type="checkbox" checked={s.notifications} onChange={(e) => void save({ notifications: (e.target as HTMLInputElement).checked })} /> System
          notification for critical findings
        </label>
      </fieldset>
      <fieldset>
        <legend>Ignored origins (one per line)</legend>
        <textarea
          value={s.ignoreOrigins.join('\n')}
          onChange={(e) => void save({ ignoreOrigins: (e.target as HTMLTextAreaElement).value.split(/\s+/).filter((x) => /^https?:\/\/[^/]+$/.test(x)) })}
        />
      </fieldset>
      <fieldset>
        <legend>Rules</legend>
        <div class="rules">
          {allRules.map((r) => (
            <label key={r.meta.id} title={r.meta.description}>
              <input
                type="checkbox"
                data-rule={r.meta.id}
                checked={!s.disabledRules.includes(r.meta.id)}
                onChange={(e) => {
                  const on = (e.target as HTMLInputElement).checked;
                  void save({ disabledRules: on ? s.disabledRules.filter((x) => x !== r.meta.id) : [...s.disabledRules, r.meta.id] });
                }}
              />{' '}
              {r.meta.id} <small>({r.meta.severity})</small>
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Export all tabs</legend>
        <button onClick={() => void download('json')}>JSON report</button> <button onClick={() => void download('sarif')}>SARIF</button>{' '}
        <button onClick={() => void download('har')}>HAR (scan it with coatcheck scan)</button>
      </fieldset>
      <fieldset>
        <legend>Companion (optional)</legend>
        <p>
          After <code>coatcheck host install --browser chrome</code>, findings can be streamed to the local companion (<code>coatcheck watch</code>). Nothing leaves this machine.
        </p>
        <button onClick={async () => setStatus((await requestNativeMessaging()) ? 'companion link allowed' : 'companion link not allowed')}>Allow the companion link</button>
      </fieldset>
      <fieldset>
        <legend>Data</legend>
        <button
          onClick={async () => {
            await ask({ type: 'clear' });
            setStatus('all flows, findings and logs cleared');
          }}
        >
          Clear all data
        </button>
      </fieldset>
      <p role="status">{status}</p>
    </main>
  );
}

render(<App />, document.getElementById('app')!);
