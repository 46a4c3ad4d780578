/**
 * The standards CoatCheck's rules cite, each at the revision the rules rely on, with the date that
 * revision was checked and whether each cited section was read in the primary text. One table:
 * rules name a document and a section (`ref('RFC9700', '4.4.1')`), reports render it with the
 * revision (`draft-ietf-oauth-security-topics-update-03 §2.2 (Cross-toolkit OAuth Account
 * Takeover)`), SARIF carries the resolved record, and docs/standards.md is generated from it
 * (test/standards.test.ts fails when a rule cites a document this table does not list).
 *
 * `verified` is a field, never a comment: true only when the section number and title were read in
 * the primary text of that revision (or of its source, named in `checkedIn`); everything else is
 * explicitly unverified, and a cited section missing from `sections` resolves as unverified.
 */

export interface StandardSection {
  title: string;
  /** the number and title were read in the primary text of this revision */
  verified: boolean;
}

export interface Standard {
  /** the id rules use: ref('<id>', '<section>') */
  id: string;
  /** how references name it, revision included where it has one (a draft's -NN, MCP's date) */
  label: string;
  title: string;
  /** the revision the rules rely on */
  revision: string;
  /** publication date of that revision (YYYY-MM-DD, or YYYY-MM when only the month is known) */
  published: string;
  url: string;
  /** when this entry was last checked against the document */
  checked: string;
  /** what was read to check it */
  checkedIn: string;
  /** the revision and its date were read in primary text (a section has its own flag) */
  verified: boolean;
  /** documents this one replaces for CoatCheck's references */
  replaces?: string[];
  /** the seed draft: still cited beside its successor, never alone */
  superseded?: string;
  /** render the section title in references (the WG draft: section names changed across revisions) */
  titleInReferences?: boolean;
  /** the sections rules cite, by number (or by name where the document has no numbers) */
  sections: Record<string, StandardSection>;
}

const s = (title: string, verified: boolean): StandardSection => ({ title, verified });

const RFC9700_CHECK = 'section map of the RFC\'s source (oauthstuff/draft-ietf-oauth-security-topics, final revision, 2024-06-03); the RFC\'s own number and date were not read here';

export const STANDARDS: readonly Standard[] = [
  {
    id: 'RFC9700', label: 'RFC 9700', title: 'Best Current Practice for OAuth 2.0 Security (BCP 240)', revision: 'RFC 9700', published: '2025-01',
    url: 'https://www.rfc-editor.org/rfc/rfc9700', checked: '2026-12-04', checkedIn: RFC9700_CHECK, verified: false,
    sections: {
      '2.1': s('Protecting Redirect-Based Flows', true), '2.1.1': s('Authorization Code Grant', true), '2.1.2': s('Implicit Grant', true),
      '2.2.2': s('Refresh Tokens', true), '2.4': s('Resource Owner Password Credentials Grant', true), '2.5': s('Client Authentication', true),
      '2.6': s('Other Recommendations', true), '4.1': s('Insufficient Redirect URI Validation', true),
      '4.1.2': s('Redirect URI Validation Attacks on Implicit Grant', true), '4.1.3': s('Countermeasures', true),
      '4.2': s('Credential Leakage via Referer Headers', true), '4.2.4': s('Countermeasures', true),
      '4.3': s('Credential Leakage via Browser History', true), '4.3.1': s('Authorization Code in Browser History', false), '4.3.2': s('Access Token in Browser History', true),
      '4.4': s('Mix-Up Attacks', true), '4.4.1': s('Attack Description', true), '4.4.2': s('Countermeasures', true),
      '4.4.2.1': s('Mix-Up Defense via Issuer Identification', true), '4.4.2.2': s('Mix-Up Defense via Distinct Redirect URIs', true),
      '4.5': s('Authorization Code Injection', true), '4.5.3.2': s('Nonce', true), '4.6.1': s('Countermeasures', true),
      '4.7': s('Cross-Site Request Forgery', true), '4.7.1': s('Countermeasures', true), '4.8.2': s('Countermeasures', true),
      '4.10.2': s('Audience-Restricted Access Tokens', true), '4.11.1': s('Client as Open Redirector', true), '4.12': s('307 Redirect', true),
      '4.14.2': s('Recommendations', true),
    },
  },
  {
    id: 'OAUTH-SECURITY-UPDATE', label: 'draft-ietf-oauth-security-topics-update-03', title: 'Updates to OAuth 2.0 Security Best Current Practice (IETF OAuth WG draft)',
    revision: '-03', published: '2026-07-06', url: 'https://datatracker.ietf.org/doc/html/draft-ietf-oauth-security-topics-update-03', checked: '2026-12-04',
    checkedIn:
      'datatracker: -03 is the latest revision (6 July 2026), replaces draft-wuertele-oauth-security-topics-update; sections 2.1-2.3 read in the authors\' source of -02 ' +
      '(SECtim/draft-wuertele-oauth-security-topics-update, 2026-06-12); the -03 body was not readable here, so its section numbers are unverified',
    verified: true, titleInReferences: true, replaces: ['draft-wuertele-oauth-security-topics-update-02'],
    sections: {
      '2.1': s('Audience Injection Attacks', false), '2.1.1': s('Attack Description', false), '2.1.1.1': s('Core Attack Steps', false),
      '2.1.1.3': s('Endpoints Requiring Client Authentication', false), '2.1.2': s('Countermeasures', false),
      '2.1.2.1': s('Authorization Server Issuer Identifier', false), '2.1.2.2': s('Exact Target Endpoint URI', false),
      '2.1.2.3': s('Implementation Considerations', false), '2.2': s('Cross-toolkit OAuth Account Takeover', false),
      '2.2.1': s('Attack Description', false), '2.2.2': s('Countermeasures', false), '2.3': s('Cross-user OAuth Session Fixation', false),
      '2.3.1': s('Attack Description', false), '2.3.2': s('Countermeasures', false), '2.4': s('Shared Consent in Brokered OAuth', false),
    },
  },
  {
    id: 'WUERTELE-02', label: 'draft-wuertele-oauth-security-topics-update-02', title: 'Updates to OAuth 2.0 Security Best Current Practice (individual draft, the seed document)',
    revision: '-02', published: '2025-09-29', url: 'https://datatracker.ietf.org/doc/html/draft-wuertele-oauth-security-topics-update-02', checked: '2026-12-04',
    checkedIn: 'the authors\' source at tag draft-wuertele-oauth-security-topics-update-02 (SECtim/draft-wuertele-oauth-security-topics-update)', verified: true,
    superseded: 'OAUTH-SECURITY-UPDATE',
    sections: {
      '2.1.1': s('Attack Description', true), '2.1.1.1': s('Core Attack Steps', true), '2.1.2': s('Countermeasures', true),
      '2.1.2.1': s('Authorization Server Issuer Identifier', true), '2.1.2.2': s('Exact Target Endpoint URI', true),
      '2.2': s('Cross-tool OAuth Account Takeover', true), '2.2.2': s('Countermeasures', true), '2.3': s('Cross-user OAuth Session Fixation', true),
    },
  },
  {
    id: 'RFC10017', label: 'RFC 10017', title: 'OAuth 2.0 for Browser-Based Applications (BCP 212)', revision: 'RFC 10017', published: '2026-08-21',
    url: 'https://www.rfc-editor.org/rfc/rfc10017', checked: '2026-12-04',
    checkedIn: 'datatracker history (published 2026-08-21, added to BCP 212) and the RFC index record (from draft-ietf-oauth-browser-based-apps-27); no section was read',
    verified: true, replaces: ['draft-ietf-oauth-browser-based-apps'], sections: {},
  },
  {
    id: 'RFC10070', label: 'RFC 10070', title: 'Updates to OAuth 2.0 JSON Web Token (JWT) Client Authentication and Assertion-Based Authorization Grants',
    revision: 'RFC 10070', published: '2026-11', url: 'https://www.rfc-editor.org/rfc/rfc10070', checked: '2026-12-04',
    checkedIn: 'the RFC XML header (docName draft-ietf-oauth-rfc7523bis-11, number 10070, prepared 2026-11-06); no section was read',
    verified: true, replaces: ['draft-ietf-oauth-rfc7523bis'], sections: {},
  },
  {
    id: 'MCP-AUTH', label: 'MCP authorization 2026-07-28', title: 'Model Context Protocol specification, Authorization', revision: '2026-07-28', published: '2026-07-28',
    url: 'https://modelcontextprotocol.io/specification/2026-07-28/basic/authorization', checked: '2026-12-04',
    checkedIn: 'docs/specification/2026-07-28/basic/authorization/index.mdx (modelcontextprotocol/modelcontextprotocol)', verified: true,
    sections: {
      'Authorization Response Validation': s('Authorization Response Validation', true),
      'Authorization Server Discovery': s('Authorization Server Discovery', true),
      'Client Registration': s('Client Registration', true),
      // cited by the MCP rules (group L, §1 I); titles from the MCP rules' authors, not yet read in the spec text
      'Token Audience Binding and Validation': s('Token Audience Binding and Validation', false),
      'Credential Binding': s('Credential Binding (SEP-2352)', false),
      'Security Considerations': s('Security Considerations', false),
      'Client Registration Approaches': s('Client Registration Approaches', false),
      'Client ID Metadata Documents': s('Client ID Metadata Documents', false),
      'Protected Resource Metadata Discovery': s('Protected Resource Metadata Discovery', false),
      'Authorization Code Protection': s('Authorization Code Protection', false),
      'Resource Parameter Implementation': s('Resource Parameter Implementation', false),
    },
  },
  {
    id: 'RFC6749', label: 'RFC 6749', title: 'The OAuth 2.0 Authorization Framework', revision: 'RFC 6749', published: '2012-10',
    url: 'https://www.rfc-editor.org/rfc/rfc6749', checked: '2026-12-04', checkedIn: 'the RFC text\'s table of contents', verified: false,
    sections: {
      '2.1': s('Client Types', true), '2.3.1': s('Client Password', true), '3.1.2': s('Redirection Endpoint', true),
      '4.1.2': s('Authorization Response', true), '10.4': s('Refresh Tokens', false), '10.10': s('Credentials-Guessing Attacks', true), '10.12': s('Cross-Site Request Forgery', true),
    },
  },
  rfc('RFC6750', 'The OAuth 2.0 Authorization Framework: Bearer Token Usage', '2012-10', { '2.3': 'URI Query Parameter' }),
  rfc('RFC7519', 'JSON Web Token (JWT)', '2015-05', { '4.1.3': '"aud" (Audience) Claim', '6': 'Unsecured JWTs' }),
  rfc('RFC7523', 'JSON Web Token (JWT) Profile for OAuth 2.0 Client Authentication and Authorization Grants', '2015-05', { '3': 'JWT Format and Processing Requirements' }),
  rfc('RFC7636', 'Proof Key for Code Exchange by OAuth Public Clients', '2015-09', {
    '4': 'Protocol', '4.1': 'Client Creates a Code Verifier', '4.2': 'Client Creates the Code Challenge', '4.3': 'Client Sends the Code Challenge with the Authorization Request',
    '4.6': 'Server Verifies code_verifier before Returning the Tokens', '7.1': 'Entropy of the code_verifier',
    'Appendix A': 'Notes on Implementing Base64url Encoding without Padding', 'Appendix B': 'Example for the S256 code_challenge_method',
  }),
  rfc('RFC8252', 'OAuth 2.0 for Native Apps', '2017-10', { '7.3': 'Loopback Interface Redirection', '8.3': 'Loopback Redirect Considerations' }),
  rfc('RFC8414', 'OAuth 2.0 Authorization Server Metadata', '2018-06', { '2': 'Authorization Server Metadata', '3.1': 'Authorization Server Metadata Request', '3.3': 'Authorization Server Metadata Validation' }),
  // listed for the MCP rules (group L): what the MCP authorization spec builds on
  rfc('RFC7591', 'OAuth 2.0 Dynamic Client Registration Protocol', '2015-07', { '2': 'Client Metadata' }),
  rfc('RFC9728', 'OAuth 2.0 Protected Resource Metadata', '2025-04', { '3': 'Obtaining Protected Resource Metadata', '3.3': 'Protected Resource Metadata Validation', '7': 'Security Considerations', '7.3': 'Impersonation Attacks' }),
  rfc('RFC8707', 'Resource Indicators for OAuth 2.0', '2020-02', { '2': 'Resource Parameter' }),
  rfc('RFC8725', 'JSON Web Token Best Current Practices', '2020-02', { '3.1': 'Perform Algorithm Verification', '3.10': 'Do Not Trust Received Claims', '3.11': 'Use Explicit Typing' }),
  rfc('RFC9068', 'JSON Web Token (JWT) Profile for OAuth 2.0 Access Tokens', '2021-10', { '2.1': 'Header', '4': 'Validating JWT Access Tokens' }),
  rfc('RFC9207', 'OAuth 2.0 Authorization Server Issuer Identification', '2022-03', { '2.4': 'Validating the Issuer Identifier' }),
  rfc('RFC9449', 'OAuth 2.0 Demonstrating Proof of Possession (DPoP)', '2023-09', {}),
  {
    id: 'OIDC-CORE', label: 'OIDC Core 1.0', title: 'OpenID Connect Core 1.0', revision: '1.0 incorporating errata set 2', published: '2023-12-15',
    url: 'https://openid.net/specs/openid-connect-core-1_0.html', checked: '2026-12-04', checkedIn: 'not read here: revision and section titles as the project recorded them', verified: false,
    sections: {
      '2': s('ID Token', false), '3.1.2.1': s('Authentication Request', false), '3.1.3.7': s('ID Token Validation', false), '3.2.2.1': s('Authentication Request', false),
      '3.2.2.10': s('ID Token', false), '3.3.2.11': s('ID Token', false), '9': s('Client Authentication', false), '10.1': s('Signing', false),
    },
  },
  {
    id: 'OIDC-DISCOVERY', label: 'OIDC Discovery 1.0', title: 'OpenID Connect Discovery 1.0', revision: '1.0 incorporating errata set 2', published: '2023-12-15',
    url: 'https://openid.net/specs/openid-connect-discovery-1_0.html', checked: '2026-12-04', checkedIn: 'not read here', verified: false,
    sections: { '4.3': s('OpenID Provider Configuration Validation', false) },
  },
  {
    id: 'OAUTH-MRT', label: 'OpenID OAuth 2.0 Multiple Response Type Encoding Practices', title: 'OAuth 2.0 Multiple Response Type Encoding Practices',
    revision: 'Final', published: '2014-02-25', url: 'https://openid.net/specs/oauth-v2-multiple-response-types-1_0.html', checked: '2026-12-04', checkedIn: 'not read here', verified: false,
    sections: { '5': s('Definitions of Multiple-Valued Response Type Combinations', false) },
  },
];

function rfc(id: string, title: string, published: string, sections: Record<string, string>): Standard {
  const n = id.slice(3);
  return {
    id, label: `RFC ${n}`, title, revision: `RFC ${n}`, published, url: `https://www.rfc-editor.org/rfc/rfc${n}`, checked: '2026-12-04',
    checkedIn: 'not read here: an RFC does not change; section titles as the project recorded them', verified: false,
    sections: Object.fromEntries(Object.entries(sections).map(([k, t]) => [k, s(t, false)])),
  };
}

export type StandardId = (typeof STANDARDS)[number]['id'];

const byId = new Map(STANDARDS.map((d) => [d.id, d]));

export function standardById(id: string): Standard | undefined {
  return byId.get(id);
}

const isNumbered = (section: string) => /^(\d+(\.\d+)*|Appendix [A-Z](\.\d+)*)$/.test(section);

/** A rule's reference to a document (and section), rendered as reports show it. */
export function ref(id: string, section?: string): string {
  const d = byId.get(id);
  if (!d) throw new Error(`standards: no document "${id}"`);
  if (section === undefined) return d.label;
  if (!isNumbered(section)) return `${d.label} "${section}"`;
  const title = d.titleInReferences ? d.sections[section]?.title : undefined;
  return `${d.label} §${section}${title ? ` (${title})` : ''}`;
}

export interface ResolvedReference {
  /** the reference as rules and findings carry it */
  text: string;
  document: string;
  title: string;
  revision: string;
  published: string;
  section?: string;
  sectionTitle?: string;
  url: string;
  /** the section (or, with no section, the document revision) was read in primary text */
  verified: boolean;
}

/** Labels longest first, so "RFC 10017" never matches "RFC 1001…" and a draft label wins over its prefix. */
const byLabel = [...STANDARDS].sort((a, b) => b.label.length - a.label.length);

/** The standard and section a reference string names, or undefined when its document is not in the table. */
export function resolveReference(text: string): ResolvedReference | undefined {
  const d = byLabel.find((x) => text === x.label || (text.startsWith(x.label) && /^[\s,§]/.test(text.slice(x.label.length))));
  if (!d) return undefined;
  let rest = text.slice(d.label.length).replace(/^[\s,]+/, '');
  let section: string | undefined;
  if (rest.startsWith('§')) {
    rest = rest.slice(1).trim();
    const m = /^(Appendix [A-Z](?:\.\d+)*|\d+(?:\.\d+)*)/.exec(rest);
    section = m ? m[1] : rest.replace(/\s*\(.*\)$/, '').replace(/^"|"$/g, '');
  } else if (rest) section = rest.replace(/^"|"$/g, '').trim();
  const key = section === undefined ? undefined : (d.sections[section] ? section : Object.keys(d.sections).find((k) => d.sections[k].title.toLowerCase() === section!.toLowerCase()));
  const sec = key === undefined ? undefined : d.sections[key];
  return {
    text,
    document: d.id,
    title: d.title,
    revision: d.revision,
    published: d.published,
    ...(section !== undefined ? { section: key ?? section } : {}),
    ...(sec ? { sectionTitle: sec.title } : {}),
    url: sectionUrl(d, key ?? section),
    verified: section === undefined ? d.verified : (sec?.verified ?? false),
  };
}

function sectionUrl(d: Standard, section: string | undefined): string {
  if (!section) return d.url;
  if (/^(RFC|draft-)/.test(d.label)) {
    if (/^\d/.test(section)) return `${d.url}#section-${section}`;
    const app = /^Appendix ([A-Z](?:\.\d+)*)$/.exec(section);
    if (app) return `${d.url}#appendix-${app[1]}`;
  }
  if (d.id === 'MCP-AUTH') return `${d.url}#${section.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return d.url;
}
