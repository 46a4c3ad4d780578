/**
 * What the store learns from a message after its rules ran (rules see it from the next message
 * on): where a code was delivered, what a clean flow's response taught about its AS (§0.4 (2)),
 * how a refresh token was used, and the navigation hop.
 */
import type { OAuthMessage } from '../classify/message';
import { header } from '../observe/observation';
import { decodeJwtPayloadUnsafe } from '../tokens/peek';
import { hashSecret } from '../util/secret';
import { stripFragment } from '../util/url';
import type { Flow } from './flow';
import type { PreviousHop } from './navigation';
import type { FlowStore } from './store';
import { CodeDeliveryRecord, RefreshUseRecord } from './records';

export function learnAfterRules(s: FlowStore, msg: OAuthMessage, flow: Flow | undefined, from: PreviousHop, replay: boolean): void {
  if (msg.kind === 'authorization-response') afterResponse(s, msg, flow, from, replay);
  if (msg.kind === 'token-request' && msg.params.get('grant_type') === 'refresh_token') afterRefresh(s, msg);
  s.nav.recordHop(msg.obs, from);
}

function afterResponse(s: FlowStore, msg: OAuthMessage, flow: Flow | undefined, from: PreviousHop, replay: boolean): void {
  const o = msg.obs;
  const state = msg.params.get('state');
  const code = msg.params.get('code');
  if (code) {
    s.ledger.recordCode(
      hashSecret(code),
      new CodeDeliveryRecord(
        flow?.id,
        o.ref,
        o.id,
        o.time,
        o.context,
        state !== undefined ? hashSecret(state) : undefined,
        msg.url?.base ?? stripFragment(o.url),
        s.redactUrl(o.url),
        from.origin,
      ),
    );
  }
  // §0.4 (2): the RFC 9207 iss and the front-channel ID token iss of a clean flow (one AS, matched
  // by state, the two not conflicting, not a replay) teach what its AS sends
  const idt = msg.params.get('id_token');
  const issParam = msg.params.get('iss');
  if (flow && (idt || issParam) && !replay && state !== undefined && flow.state?.hash === hashSecret(state) && flow.requests.length === 1) {
    const v = idt ? decodeJwtPayloadUnsafe(idt)?.iss : undefined;
    const idIss = typeof v === 'string' ? v : undefined;
    if (issParam === undefined || idIss === undefined || issParam === idIss) s.directory.learnFromResponse(flow.requests[0]?.as ?? flow.as, issParam, o.time, idIss);
  }
}

function afterRefresh(s: FlowStore, msg: OAuthMessage): void {
  const o = msg.obs;
  const rt = msg.params.get('refresh_token');
  if (!rt) return;
  const newRt = msg.json?.refresh_token;
  s.ledger.recordRefreshUse(
    hashSecret(rt),
    new RefreshUseRecord(
      o.ref,
      o.time,
      o.responseTime,
      o.status,
      typeof newRt === 'string' ? hashSecret(newRt) : undefined,
      header(o.requestHeaders, 'dpop') !== undefined || msg.json?.token_type === 'DPoP',
      msg.params.has('client_secret') || msg.params.has('client_assertion') || /^basic /i.test(header(o.requestHeaders, 'authorization') ?? ''),
    ),
  );
}
