/**
 * The demo seed releases its process through the designer's workflow like every process (saved by the
 * designer, approved by a second one), keeps a release with the same content, releases its own process
 * again when the Fachverfahren moved to another address, and leaves a working copy someone changed alone.
 */
import { DEMO_PROCESS, DEMO_SERVICE, DEMO_TENANT, seedDemo } from '../../../api/src/demo/seed.js';
import { testApp, tokenFor, type TestApp } from '../support.js';

let t: TestApp;
let designer: string;

beforeAll(async () => {
  t = await testApp('api_demo_seed');
  designer = await tokenFor(t.app, { userId: 'planer', tenantId: DEMO_TENANT, roles: ['designer'] });
});

afterAll(async () => {
  await t?.close();
});

const seed = async (fachverfahrenPort?: number) => {
  const demo = await seedDemo(t.app, { platformUrl: 'http://127.0.0.1:9', fachverfahrenPort });
  await demo.close();
  return Number(new URL(demo.fachverfahren.url).port);
};
const details = async () =>
  (
    await t.app.inject({ method: 'GET', url: `/v2/processes/${DEMO_PROCESS}`, headers: { authorization: designer } })
  ).json();
const offered = async () =>
  (await t.app.inject({ method: 'GET', url: `/v2/public/tenants/${DEMO_TENANT}/services` })).json().items;

it('should release the demo process with four eyes and offer its service', async () => {
  // when
  const port = await seed();
  const first = await details();
  await seed(port);

  // then: one release, by the designer's review request and the reviewer's approval; the second seed
  // changes nothing
  expect(first).toMatchObject({ state: 'released', latestVersion: 1 });
  expect(await details()).toMatchObject({ state: 'released', latestVersion: 1, revision: first.revision });
  const comments = (
    await t.app.inject({
      method: 'GET',
      url: `/v2/processes/${DEMO_PROCESS}/comments`,
      headers: { authorization: designer },
    })
  ).json().items;
  expect(comments.map((c: { kind: string; author: string }) => [c.kind, c.author])).toEqual([
    ['submitted', 'staff:planer'],
    ['approved', 'staff:pruefer'],
  ]);
  expect(await offered()).toEqual([expect.objectContaining({ serviceId: DEMO_SERVICE })]);
});

it('should release its own process again when the Fachverfahren has another address', async () => {
  // given
  const before = await details();
  // when: the port after the API's was taken this time
  await seed(before.bpmnXml.includes(':45871/') ? 45872 : 45871);
  // then
  const after = await details();
  expect(after).toMatchObject({ state: 'released', latestVersion: 2 });
  expect(after.bpmnXml).not.toBe(before.bpmnXml);
});

it('should leave a working copy someone changed alone, and the released version keeps serving', async () => {
  // given: the designer edits the demo process
  const current = await details();
  const edited = await t.app.inject({
    method: 'PUT',
    url: `/v2/processes/${DEMO_PROCESS}/draft`,
    headers: { authorization: designer },
    payload: {
      revision: current.revision,
      name: 'Bewohnerparkausweis (in Arbeit)',
      bpmnXml: current.bpmnXml.replace('name="Antrag prüfen"', 'name="Antrag sorgfältig prüfen"'),
      forms: current.forms,
    },
  });
  expect(edited.statusCode).toBe(200);
  // when
  await seed(12_345);
  // then
  expect(await details()).toMatchObject({ state: 'draft', name: 'Bewohnerparkausweis (in Arbeit)', latestVersion: 2 });
  expect(await offered()).toEqual([expect.objectContaining({ serviceId: DEMO_SERVICE })]);
});
