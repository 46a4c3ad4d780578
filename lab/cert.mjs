// A self-signed TLS certificate generated at lab start, with no dependency: the X.509 DER is
// assembled by hand and signed with node:crypto (ECDSA P-256 / SHA-256). Subject Alternative Names
// cover every lab host name, so the lab runs over https and no rule about http redirect URIs fires
// because of the lab itself. Browsers are started with certificate errors ignored; the lab's own
// Node client trusts this certificate explicitly.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

/** @param {number} tag @param {Buffer} body */
function tlv(tag, body) {
  const len = body.length;
  let head;
  if (len < 0x80) head = Buffer.from([tag, len]);
  else if (len < 0x100) head = Buffer.from([tag, 0x81, len]);
  else head = Buffer.from([tag, 0x82, len >> 8, len & 0xff]);
  return Buffer.concat([head, body]);
}
const seq = (...parts) => tlv(0x30, Buffer.concat(parts));
const set = (...parts) => tlv(0x31, Buffer.concat(parts));
/** @param {string} dotted */
function oid(dotted) {
  const n = dotted.split('.').map(Number);
  const out = [40 * n[0] + n[1]];
  for (const v of n.slice(2)) {
    const bytes = [v & 0x7f];
    let x = v >> 7;
    while (x > 0) {
      bytes.unshift((x & 0x7f) | 0x80);
      x >>= 7;
    }
    out.push(...bytes);
  }
  return tlv(0x06, Buffer.from(out));
}
/** @param {Buffer} b */
function int(b) {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  b = b.subarray(i);
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}
/** @param {Date} d */
function utcTime(d) {
  const p = (x) => String(x).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}
const name = (cn) => seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn, 'utf8')))));

/**
 * @param {{ hosts: string[], ips?: string[], commonName?: string, days?: number }} opts
 * @returns {{ key: string, cert: string }} PEM strings
 */
export function selfSignedCert({ hosts, ips = ['127.0.0.1'], commonName = 'CoatCheck lab', days = 7 }) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const ecdsaSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const now = Date.now();
  const san = seq(
    ...hosts.map((h) => tlv(0x82, Buffer.from(h, 'ascii'))),
    ...ips.map((ip) => tlv(0x87, Buffer.from(ip.split('.').map(Number)))),
  );
  const extensions = tlv(
    0xa3,
    seq(
      // basicConstraints: CA (so the certificate can be its own trust anchor)
      seq(oid('2.5.29.19'), tlv(0x01, Buffer.from([0xff])), tlv(0x04, seq(tlv(0x01, Buffer.from([0xff]))))),
      seq(oid('2.5.29.17'), tlv(0x04, san)),
    ),
  );
  const tbs = seq(
    tlv(0xa0, int(Buffer.from([2]))),
    int(randomBytes(16)),
    ecdsaSha256,
    name(commonName),
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + days * 86400_000))),
    name(commonName),
    spki,
    extensions,
  );
  const sig = sign('sha256', tbs, privateKey);
  const der = seq(tbs, ecdsaSha256, tlv(0x03, Buffer.concat([Buffer.from([0]), sig])));
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`;
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert: pem };
}

/**
 * An https server on 127.0.0.1 with a fresh certificate for `hosts`, listening (port 0: any free one).
 * @param {{ hosts: string[], port?: number }} opts
 * @returns {Promise<{ server: import('node:https').Server, port: number, cert: string }>}
 */
export async function listenHttps({ hosts, port = 0 }) {
  const { createServer } = await import('node:https');
  const { key, cert } = selfSignedCert({ hosts });
  const server = createServer({ key, cert });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(undefined));
  });
  return { server, port: /** @type {import('node:net').AddressInfo} */ (server.address()).port, cert };
}
