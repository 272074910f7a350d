/**
 * German first, English second. Each app brings its own messages; this module picks the locale (the
 * user's choice, kept in localStorage, else German), keeps `<html lang>` in step and formats messages
 * with `{name}` placeholders. A missing English text falls back to German, a missing key is shown as is
 * so it is noticed.
 */
export type Locale = 'de' | 'en';
export type Messages = Record<string, { readonly de: string; readonly en?: string }>;

const STORAGE_KEY = 'prozessplattform.locale';
const listeners = new Set<() => void>();

function initialLocale(): Locale {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
  return stored === 'en' || stored === 'de' ? stored : 'de';
}

let current: Locale = initialLocale();
if (typeof document !== 'undefined') document.documentElement.lang = current;

export const locale = (): Locale => current;

export function setLocale(next: Locale): void {
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  for (const listener of listeners) listener();
}

export function onLocaleChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A translator over the shared messages and the app's own. */
export function translator(...catalogues: Messages[]) {
  const all: Messages = Object.assign({}, sharedMessages, ...catalogues);
  return (key: string, params: Record<string, string | number> = {}): string => {
    const entry = all[key];
    const text = entry ? ((current === 'en' ? entry.en : undefined) ?? entry.de) : key;
    return text.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
  };
}

export const formatDateTime = (iso: string | null | undefined): string =>
  iso
    ? new Date(iso).toLocaleString(current === 'en' ? 'en-GB' : 'de-DE', { dateStyle: 'medium', timeStyle: 'short' })
    : '–';

export const formatDate = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleDateString(current === 'en' ? 'en-GB' : 'de-DE', { dateStyle: 'medium' }) : '–';

/** Amounts travel in cents. */
export const formatMoney = (cents: number): string =>
  new Intl.NumberFormat(current === 'en' ? 'en-GB' : 'de-DE', { style: 'currency', currency: 'EUR' }).format(
    cents / 100,
  );

const sharedMessages: Messages = {
  'app.name': { de: 'Prozessplattform', en: 'Process platform' },
  'skip.main': { de: 'Zum Inhalt springen', en: 'Skip to content' },
  'language.label': { de: 'Sprache', en: 'Language' },
  'language.de': { de: 'Deutsch', en: 'Deutsch (German)' },
  'language.en': { de: 'English (Englisch)', en: 'English' },
  'nav.label': { de: 'Hauptnavigation', en: 'Main navigation' },
  'session.signedInAs': { de: 'Angemeldet als {name}', en: 'Signed in as {name}' },
  'session.logout': { de: 'Abmelden', en: 'Sign out' },
  'login.title': { de: 'Anmelden', en: 'Sign in' },
  'login.submit': { de: 'Anmelden', en: 'Sign in' },
  'login.oidc': { de: 'Mit dem Konto Ihrer Organisation anmelden', en: 'Sign in with your organisation account' },
  'login.citizenOidc': { de: 'Mit BundID / Servicekonto anmelden', en: 'Sign in with BundID / Servicekonto' },
  'login.dev.notice': {
    de: 'Entwicklungsanmeldung: nur für Test und Erprobung. Jede Person kann sich als jede anmelden.',
    en: 'Development login: for testing only. Anyone can sign in as anyone.',
  },
  'login.userId': { de: 'Benutzerkennung', en: 'User id' },
  'login.tenantId': { de: 'Mandant (ARS, 12 Ziffern)', en: 'Tenant (ARS, 12 digits)' },
  'login.roles': { de: 'Rollen', en: 'Roles' },
  'login.groups': { de: 'Organisationseinheiten (durch Komma getrennt)', en: 'Organisational units (comma separated)' },
  'login.name': { de: 'Name', en: 'Name' },
  'login.trustLevel': { de: 'Vertrauensniveau', en: 'Trust level' },
  'login.unavailable': {
    de: 'Keine Anmeldung eingerichtet: Bitte einen OIDC-Anbieter konfigurieren.',
    en: 'No sign-in configured: please configure an OIDC provider.',
  },
  'role.designer': { de: 'Prozessdesign', en: 'Process design' },
  'role.clerk': { de: 'Sachbearbeitung', en: 'Clerk' },
  'role.admin': { de: 'Administration', en: 'Administration' },
  'trust.niedrig': { de: 'niedrig', en: 'low' },
  'trust.substanziell': { de: 'substanziell', en: 'substantial' },
  'trust.hoch': { de: 'hoch', en: 'high' },
  'problem.title': { de: 'Das hat nicht geklappt', en: 'That did not work' },
  'problem.network': {
    de: 'Der Server ist nicht erreichbar. Bitte später erneut versuchen.',
    en: 'The server cannot be reached. Please try again later.',
  },
  loading: { de: 'Wird geladen …', en: 'Loading …' },
  empty: { de: 'Keine Einträge.', en: 'No entries.' },
  'action.save': { de: 'Speichern', en: 'Save' },
  'action.cancel': { de: 'Abbrechen', en: 'Cancel' },
  'action.back': { de: 'Zurück', en: 'Back' },
  'action.close': { de: 'Schließen', en: 'Close' },
  'page.previous': { de: 'Vorherige Seite', en: 'Previous page' },
  'page.next': { de: 'Nächste Seite', en: 'Next page' },
};
