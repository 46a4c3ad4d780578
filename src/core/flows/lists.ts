/**
 * In-place removal from the short lists the flow layer keeps (index lists, recent requests, flood
 * times, MCP records). V8's `splice` builds a result array and moves the rest by a slow path
 * (about 0.5–1 µs on a list of a few hundred, measured); `shift` and `pop` move in place. Every
 * capped list drops its first entry on each append once full, and an evicted flow is the first
 * of its index lists: these paths run per message. The lists end up exactly as with `splice`.
 */

/** `list.splice(0, n)`, the usual n being 1 */
export function dropFirst<T>(list: T[], n: number): void {
  if (n <= 0) return;
  if (n > 4) {
    list.splice(0, n);
    return;
  }
  for (let i = 0; i < n; i++) list.shift();
}

/** `list.splice(at, 1)` for an index of the list */
export function removeAt<T>(list: T[], at: number): void {
  if (at === 0) list.shift();
  else if (at === list.length - 1) list.pop();
  else list.splice(at, 1);
}
