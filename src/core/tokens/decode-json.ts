/** The JSON serializations (general and flattened) of JWS and JWE: RFC 7515 §7.2, RFC 7516 §7.2. */
import { parseJsonBounded } from '../util/json';
import { B64URL, decodeHeader, decodePayload, isObject, isUnsecuredAlg, malformed, sigInfo, timesOf, tooDeep } from './parts';
import type { JsonObject, Serialization, TokenReport } from './report';

function optString(o: JsonObject, k: string, what: string): string | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw malformed(`${what} "${k}" must be a string.`);
  return v;
}

function optObject(o: JsonObject, k: string, what: string): JsonObject | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (!isObject(v)) throw malformed(`${what} "${k}" must be a JSON object.`);
  return v;
}

export function decodeJson(s: string, forRules: boolean): TokenReport {
  const r = parseJsonBounded(s);
  if (r === 'tooDeep') throw tooDeep('The JSON serialization');
  let v: unknown;
  if (r === 'invalid') {
    try {
      v = JSON.parse(s); // throws again, for the parser's own words
    } catch (e) {
      throw malformed(`The input starts with "{" but is not valid JSON (${e instanceof Error ? e.message : 'parse error'}).`);
    }
  } else v = r.value;
  if (!isObject(v)) throw malformed('A JSON-serialized JWS or JWE must be a JSON object.');

  if ('ciphertext' in v) {
    const ct = optString(v, 'ciphertext', 'The JWE member');
    if (!ct || !B64URL.test(ct)) throw malformed('The JWE "ciphertext" is missing or not base64url.');
    for (const k of ['iv', 'tag', 'encrypted_key', 'aad']) {
      const x = optString(v, k, 'The JWE member');
      if (x !== undefined && !B64URL.test(x)) throw malformed(`The JWE "${k}" is not base64url.`);
    }
    const prot = optString(v, 'protected', 'The JWE member');
    const header = prot !== undefined ? decodeHeader(prot, 'The JWE protected header') : {};
    const unprotected = optObject(v, 'unprotected', 'The JWE member');
    let recipients: TokenReport['recipients'];
    let serialization: Serialization = 'flattened';
    if ('recipients' in v) {
      if (!Array.isArray(v.recipients) || v.recipients.length === 0) throw malformed('The JWE "recipients" must be a non-empty array.');
      serialization = 'json';
      recipients = v.recipients.map((r, i) => {
        if (!isObject(r)) throw malformed(`JWE recipient ${i} is not a JSON object.`);
        const h = optObject(r, 'header', `JWE recipient ${i} member`);
        const ek = optString(r, 'encrypted_key', `JWE recipient ${i} member`);
        if (ek !== undefined && !B64URL.test(ek)) throw malformed(`JWE recipient ${i} "encrypted_key" is not base64url.`);
        return { ...(h ? { header: h } : {}), hasEncryptedKey: ek !== undefined && ek !== '' };
      });
    } else {
      const h = optObject(v, 'header', 'The JWE member');
      recipients = [{ ...(h ? { header: h } : {}), hasEncryptedKey: typeof v.encrypted_key === 'string' && v.encrypted_key !== '' }];
    }
    return {
      kind: 'JWE',
      serialization,
      header,
      ...(unprotected ? { unprotectedHeader: unprotected } : {}),
      payload: null,
      recipients,
      decrypted: null,
      decryptReason: 'no key given',
      findings: [],
      raw: { type: 'jwe-json', jwe: v },
    };
  }

  if (!('signatures' in v) && !('signature' in v)) {
    throw malformed('A JSON-serialized token needs "signatures" or "signature" (JWS) or "ciphertext" (JWE).');
  }
  const payloadRaw = optString(v, 'payload', 'The JWS member');
  let sigs: { protected?: string; header?: JsonObject; signature: string }[];
  let serialization: Serialization;
  if ('signatures' in v) {
    if (!Array.isArray(v.signatures) || v.signatures.length === 0) throw malformed('The JWS "signatures" must be a non-empty array.');
    serialization = 'json';
    sigs = v.signatures.map((x, i) => {
      if (!isObject(x)) throw malformed(`JWS signature ${i} is not a JSON object.`);
      const sig = optString(x, 'signature', `JWS signature ${i} member`);
      if (sig === undefined) throw malformed(`JWS signature ${i} has no "signature".`);
      return { protected: optString(x, 'protected', `JWS signature ${i} member`), header: optObject(x, 'header', `JWS signature ${i} member`), signature: sig };
    });
  } else {
    serialization = 'flattened';
    const sig = optString(v, 'signature', 'The JWS member');
    if (sig === undefined) throw malformed('The JWS has no "signature".');
    sigs = [{ protected: optString(v, 'protected', 'The JWS member'), header: optObject(v, 'header', 'The JWS member'), signature: sig }];
  }
  const infos = sigs.map((x, i) => {
    if (!B64URL.test(x.signature)) throw malformed(`JWS signature ${i} is not base64url.`);
    const prot = x.protected !== undefined && x.protected !== '' ? decodeHeader(x.protected, `The protected header of signature ${i}`) : {};
    if (!x.protected && !x.header) throw malformed(`JWS signature ${i} has neither a protected nor an unprotected header.`);
    return sigInfo(prot, x.header, x.signature);
  });
  const first = infos[0];
  const b64 = first.protected.b64 !== false;
  let payload: JsonObject | string | null = null;
  const detached = payloadRaw === undefined;
  if (payloadRaw !== undefined) payload = decodePayload(payloadRaw, b64);
  const allNone = infos.every((s) => isUnsecuredAlg(s.alg));
  const report: TokenReport = {
    kind: allNone ? 'unsecured' : 'JWS',
    serialization,
    header: first.protected,
    ...(serialization === 'flattened' && first.header ? { unprotectedHeader: first.header } : {}),
    payload,
    ...(detached ? { detached } : {}),
    ...(serialization === 'json' ? { signatures: infos } : { signature: first }),
    findings: [],
    raw: { type: 'jws-json', payload: payloadRaw, signatures: sigs },
  };
  if (!forRules) {
    const times = timesOf(payload);
    if (times) report.times = times;
  }
  return report;
}
