/** For component tests in happy-dom: a fresh container per test, unmounted and removed after it. */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach } from 'vitest';
import { analyseHar, type Capture } from '../src/devtools/model/capture';

/** Registers the hooks; call the returned function inside a test to get the current container. */
export function mountContainer(): () => HTMLElement {
  let container: HTMLElement;
  beforeEach(() => {
    container = document.createElement('div');
    document.body.appendChild(container);
  });
  afterEach(() => {
    act(() => render(null, container));
    container.remove();
  });
  return () => container;
}

/** A HAR analysed as the panel's Import HAR does; throws on an unreadable one. */
export function analysed(har: string): Capture {
  const r = analyseHar(har);
  if ('error' in r) throw new Error(r.error);
  return r.capture;
}
