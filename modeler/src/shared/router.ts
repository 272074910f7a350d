/**
 * Client-side routing by path under an app's base (`/portal/cases/123`): the API serves the app's page for
 * every path below its base, so links can be shared and a payment provider can send the applicant back to
 * a case. Links inside the app are plain `<a href>` (keyboard and screen readers need nothing else); a click
 * on one is taken over here instead of loading the page again. After a route change the focus moves to the
 * main region, so screen readers announce the new page.
 */
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<() => void>();

export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  for (const listener of listeners) listener();
  document.getElementById('main')?.focus();
  window.scrollTo(0, 0);
}

let installed = false;
function install(base: string): void {
  if (installed) return;
  installed = true;
  window.addEventListener('popstate', () => {
    for (const listener of listeners) listener();
  });
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(base)) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
}

/** The path below the app's base as segments (`/portal/cases/1` with base `/portal/` → ['cases', '1']). */
export function useRoute(base: string): { segments: string[]; query: URLSearchParams } {
  install(base);
  const [, setTick] = useState(0);
  useEffect(() => {
    const rerender = () => setTick((tick) => tick + 1);
    listeners.add(rerender);
    return () => void listeners.delete(rerender);
  }, []);
  const rest = location.pathname.startsWith(base) ? location.pathname.slice(base.length) : '';
  return {
    segments: rest.split('/').filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(location.search),
  };
}
