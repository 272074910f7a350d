/**
 * The citizens' application portal (Antragsportal) at `/portal/`: the municipality's services, the
 * application with its start form (form-js, checked in the browser and again on the server), attachments,
 * summary and receipt; the applicant's applications with their status in plain words, the Bescheid with
 * its seal check, the fee payment link and the mailbox with answers and late documents.
 *
 * Routes: `/portal/` catalogue · `/portal/apply/<serviceId>?ars=…` · `/portal/cases` ·
 * `/portal/cases/<key>` (also where the payment provider sends the applicant back) · `/portal/mailbox`.
 */
import { useState } from 'preact/hooks';
import { get, useSession } from '../src/shared/api.js';
import { mount } from '../src/shared/mount.js';
import { useRoute } from '../src/shared/router.js';
import '../src/shared/casework.css';
import { Field, Layout, LoginPage, ProblemAlert, useAppState, useLoad } from '../src/shared/ui.js';
import { ApplyPage } from './apply.js';
import { CasePage, CasesPage, MailboxPage } from './cases.js';
import { t } from './messages.js';
import { DEFAULT_ARS, type PublicService } from './model.js';

useSession('citizen');

const BASE = '/portal/';

function nav(current: string) {
  return [
    { href: BASE, label: t('nav.services'), current: current === '' },
    { href: `${BASE}cases`, label: t('nav.cases'), current: current === 'cases' },
    { href: `${BASE}mailbox`, label: t('nav.mailbox'), current: current === 'mailbox' },
  ];
}

function Catalogue() {
  const [ars, setArs] = useState(localStorage.getItem('prozessplattform.portal.ars') ?? DEFAULT_ARS);
  const [shown, setShown] = useState(ars);
  const services = useLoad(
    () => get<{ items: PublicService[] }>(`/v2/public/tenants/${encodeURIComponent(shown)}/services`),
    [shown],
  );
  return (
    <Layout title={t('catalogue.title')} kind="citizen" nav={nav('')}>
      <h1>{t('catalogue.title')}</h1>
      <p>{t('catalogue.intro')}</p>
      <form
        class="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          localStorage.setItem('prozessplattform.portal.ars', ars.trim());
          setShown(ars.trim());
        }}
      >
        <Field
          label={t('catalogue.ars')}
          hint={t('catalogue.ars.hint')}
          name="ars"
          inputMode="numeric"
          value={ars}
          onInput={(event) => setArs(event.currentTarget.value)}
        />
        <button type="submit">{t('catalogue.show')}</button>
      </form>
      <ProblemAlert error={services.error} />
      {services.loading && <p>{t('loading')}</p>}
      {services.value && services.value.items.length === 0 && <p>{t('catalogue.empty')}</p>}
      <ul class="card-list">
        {services.value?.items.map((service) => (
          <li key={service.serviceId} class="card">
            <h2>{service.title}</h2>
            <p>{service.description}</p>
            {service.feeHint && <p>{t('service.fee', { fee: service.feeHint })}</p>}
            <p>{t('service.trust', { level: t(`trust.${service.trustLevel}`) })}</p>
            <a class="button" href={`${BASE}apply/${service.serviceId}?ars=${service.tenantId}`}>
              {t('service.apply', { title: service.title })}
            </a>
          </li>
        ))}
      </ul>
    </Layout>
  );
}

function Portal() {
  const { claims } = useAppState('citizen');
  const { segments, query } = useRoute(BASE);
  const [page, id] = segments;
  if (!page) return <Catalogue />;
  if (!claims)
    return (
      <LoginPage kind="citizen" title={t('apply.login')} defaults={{ userId: 'erika', name: 'Erika Mustermann' }} />
    );
  const layout = (title: string, content: preact.ComponentChildren) => (
    <Layout title={title} kind="citizen" nav={nav(page)}>
      {content}
    </Layout>
  );
  if (page === 'apply' && id)
    return layout(
      t('portal.title'),
      <ApplyPage serviceId={id} tenantId={query.get('ars') ?? DEFAULT_ARS} claims={claims} />,
    );
  if (page === 'cases' && id) return layout(t('cases.title'), <CasePage processInstanceKey={id} />);
  if (page === 'cases') return layout(t('cases.title'), <CasesPage />);
  if (page === 'mailbox') return layout(t('mailbox.title'), <MailboxPage />);
  return <Catalogue />;
}

mount(Portal);
