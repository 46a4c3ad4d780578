import type { Finding } from '../core';

/**
 * Says when a verdict rests on CoatCheck's provider table (detectors.md §3) rather than on what the
 * capture showed, and how old that knowledge is (docs/providers.md).
 */
export function TableBasis({ basis }: { basis: NonNullable<Finding['providerTable']> }) {
  return (
    <div class="basis muted" data-testid="table-basis" title="Provider behaviour changes over time: see docs/providers.md or run coatcheck providers">
      from CoatCheck's provider table, checked {basis.checked} ({basis.provider}), not from what this capture showed
    </div>
  );
}
