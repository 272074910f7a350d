/**
 * The bpmn-js Modeler as the designer uses it: the properties panel with the Zeebe provider (every
 * execution property the engine reads), camunda-bpmn-js-behaviors for Camunda 8, our worker steps as
 * element templates (bpmn-js-element-templates, loaded from workers/templates), the same lint as the
 * server (bpmn-js-bpmnlint over modeler/lint's configuration), and token simulation.
 */
import BpmnModeler from 'bpmn-js/lib/Modeler';
import BpmnViewer from 'bpmn-js/lib/NavigatedViewer';
import lintModule from 'bpmn-js-bpmnlint';
import { CloudElementTemplatesPropertiesProviderModule } from 'bpmn-js-element-templates';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  ZeebePropertiesProviderModule,
} from 'bpmn-js-properties-panel';
import TokenSimulationModule from 'bpmn-js-token-simulation';
import cloudBehaviors from 'camunda-bpmn-js-behaviors/lib/camunda-cloud';
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'bpmn-js-element-templates/dist/assets/element-templates.css';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import 'bpmn-js-token-simulation/assets/css/bpmn-js-token-simulation.css';
import { lintConfig, resolver } from '../../lint/index.js';
import { TemplatesMenuModule, type Template } from './templates-menu.js';

/** Our worker steps, versioned JSON beside the workers that run them. */
export const templates: Template[] = Object.values(
  import.meta.glob<Template>('../../../workers/templates/*.json', { eager: true, import: 'default' }),
).sort((a, b) => a.name.localeCompare(b.name, 'de'));

export interface LintIssue {
  readonly id: string;
  readonly message: string;
  readonly category: string;
  readonly rule?: string;
}

export function createModeler(canvas: HTMLElement, panel: HTMLElement): BpmnModeler {
  const modeler = new BpmnModeler({
    container: canvas,
    propertiesPanel: { parent: panel },
    moddleExtensions: { zeebe },
    linting: { bpmnlint: { config: lintConfig(), resolver }, active: true },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      ZeebePropertiesProviderModule,
      CloudElementTemplatesPropertiesProviderModule,
      cloudBehaviors,
      lintModule,
      TokenSimulationModule,
      TemplatesMenuModule,
    ],
  });
  (modeler.get('elementTemplates') as { set(templates: Template[]): void }).set(templates);
  return modeler;
}

export const createViewer = (container: HTMLElement) => new BpmnViewer({ container, moddleExtensions: { zeebe } });
