/** Shows a rule's doc page (docs/rules/<id>.md, bundled) as text: offline, no HTML injection. */
const pages = import.meta.glob(['../../docs/rules/*.md', '!../../docs/rules/README.md'], { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const id = new URLSearchParams(location.search).get('rule') ?? '';
const page = Object.entries(pages).find(([p]) => p.endsWith(`/${id}.md`))?.[1];
document.getElementById('doc')!.textContent = page ?? `No documentation page for "${id}".`;
document.title = `CoatCheck: ${id}`;
