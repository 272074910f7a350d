/**
 * Every job type ships a Zeebe element template (workers/templates/, for the modeler) and an input schema
 * (schemas/jobs/, for the worker's ajv check). The template must be valid for the Zeebe template schema,
 * name its versioned job type, and offer exactly the inputs the schema declares, with the required ones
 * marked notEmpty — so what a designer can fill in is what the worker accepts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { validateZeebe } from '@bpmn-io/element-templates-validator';

const templatesDir = new URL('../../workers/templates/', import.meta.url);
const schemasDir = new URL('../../schemas/jobs/', import.meta.url);

interface TemplateProperty {
  type: string;
  value?: string;
  optional?: boolean;
  binding: { type: string; name?: string; property?: string };
  constraints?: { notEmpty?: boolean };
}

const templates = readdirSync(templatesDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({ file, template: JSON.parse(readFileSync(new URL(file, templatesDir), 'utf8')) }));

describe('element templates of the job types', () => {
  it('should ship at least the forwarding template', () => {
    expect(templates.map(({ file }) => file)).toContain('forwarding-1.json');
  });

  it.each(templates)(
    '$file should be a valid Zeebe element template for a versioned municipal job type',
    ({ file, template }) => {
      const { valid, errors } = validateZeebe(template);
      expect(errors ?? []).toEqual([]);
      expect(valid).toBe(true);
      const properties = template.properties as TemplateProperty[];
      const type = properties.find((p) => p.binding.type === 'zeebe:taskDefinition' && p.binding.property === 'type');
      expect(type).toMatchObject({ type: 'Hidden', value: expect.stringMatching(/^municipal:[a-z-]+:[0-9]+$/) });
      const version = type!.value!.split(':')[2];
      expect(file).toBe(`${type!.value!.split(':')[1]}-${version}.json`);
      expect(String(template.version)).toBe(version);
    },
  );

  it.each(templates)('$file should offer exactly the inputs its schema declares', ({ file, template }) => {
    const schema = JSON.parse(readFileSync(new URL(file.replace('.json', '.input.schema.json'), schemasDir), 'utf8'));
    const inputs = (template.properties as TemplateProperty[]).filter((p) => p.binding.type === 'zeebe:input');
    expect(inputs.map((p) => p.binding.name).sort()).toEqual(Object.keys(schema.properties).sort());
    const requiredInTemplate = inputs.filter((p) => p.constraints?.notEmpty && !p.optional).map((p) => p.binding.name);
    expect(requiredInTemplate.sort()).toEqual([...schema.required].sort());
  });
});
