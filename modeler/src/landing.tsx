/** The start page: where each kind of user finds their app. */
import { mount } from './shared/mount.js';
import { translator } from './shared/i18n.js';
import { Layout, useAppState } from './shared/ui.js';

const t = translator({
  'landing.title': { de: 'Willkommen', en: 'Welcome' },
  'landing.intro': {
    de: 'Online-Anträge ohne Medienbruch: vom Antrag über die Sachbearbeitung bis zum Bescheid.',
    en: 'Online applications without media breaks: from application through processing to the decision.',
  },
  'landing.portal': { de: 'Antragsportal für Bürgerinnen und Bürger', en: 'Application portal for citizens' },
  'landing.portal.text': {
    de: 'Leistungen finden, Anträge stellen, Bescheide abrufen.',
    en: 'Find services, apply, get decisions.',
  },
  'landing.tasks': { de: 'Aufgabenliste der Sachbearbeitung', en: 'Task list for clerks' },
  'landing.tasks.text': { de: 'Anträge bearbeiten und entscheiden.', en: 'Work on and decide applications.' },
  'landing.designer': { de: 'Prozessmodellierung', en: 'Process modeler' },
  'landing.designer.text': {
    de: 'Prozesse und Formulare gestalten, prüfen, testen und freigeben.',
    en: 'Design, check, test and release processes and forms.',
  },
  'landing.admin': { de: 'Administration', en: 'Administration' },
  'landing.admin.text': {
    de: 'Laufende Vorgänge, Störungen, Warteschlangen und Behördenverzeichnis.',
    en: 'Running cases, incidents, queues and the directory of authorities.',
  },
  'landing.api': { de: 'API-Dokumentation', en: 'API documentation' },
});

const apps = [
  ['/portal/', 'landing.portal'],
  ['/tasks/', 'landing.tasks'],
  ['/designer/', 'landing.designer'],
  ['/admin/', 'landing.admin'],
] as const;

function Landing() {
  useAppState('staff');
  return (
    <Layout title={t('landing.title')} kind="staff">
      <h1>{t('app.name')}</h1>
      <p>{t('landing.intro')}</p>
      <ul class="card-list">
        {apps.map(([href, key]) => (
          <li key={href} class="card">
            <h2>
              <a href={href}>{t(key)}</a>
            </h2>
            <p>{t(`${key}.text`)}</p>
          </li>
        ))}
      </ul>
      <p>
        <a href="/docs">{t('landing.api')}</a>
      </p>
    </Layout>
  );
}

mount(Landing);
