/**
 * A redirect's Location made absolute (navigation.ts recordHop: the hop's `to` is the hash of it).
 * `new URL(href, base).href` is most of recordHop's time, and a Location is most often already an
 * absolute http(s) URL in the form the parser would write it (an authorization request, a
 * callback): such a string is its own href, and is returned as it is. The check is conservative:
 * anything it is not sure of goes to the parser (href.test.ts holds the two equal).
 */
import { resolvesToItself } from '../util/url';

/** `parseUrl(href, base)?.href` without reading the parameters (a Location is often a long authorization request) */
export function absoluteHref(href: string, base: string): string | undefined {
  if (href.length === 0) return undefined;
  try {
    return (base ? new URL(href, base) : new URL(href)).href;
  } catch {
    return undefined;
  }
}

/**
 * absoluteHref(href, base) for a `base` that parses (its caller found its origin): an absolute URL
 * already in the form the parser prints (util/url.ts resolvesToItself) is returned as it is,
 * without a parse
 */
export function absoluteHrefOfParsedBase(href: string, base: string): string | undefined {
  return resolvesToItself(href) ? href : absoluteHref(href, base);
}
