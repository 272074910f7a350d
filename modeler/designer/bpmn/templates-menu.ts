/**
 * Our worker steps where a designer looks for them: each element template (workers/templates) as a palette
 * entry, as a "replace with" entry of a task's popup menu, and as an "append" entry in the context pad.
 * The library applies the template (elementTemplates.createElement / applyTemplate); this module only
 * offers it in the menus, which bpmn-js-element-templates leaves to the application.
 */

export interface Template {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly appliesTo: readonly string[];
  readonly elementType?: { readonly value: string };
}

const ICON =
  'data:image/svg+xml;utf8,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><rect x="2" y="4" width="20" height="16" rx="3" fill="none" stroke="#1b4f8a" stroke-width="2"/><path d="M7 12h10M12 7v10" stroke="#1b4f8a" stroke-width="2"/></svg>',
  );

const short = (template: Template) => template.name.replace(/\s*\(.*\)\s*$/, '');

class TemplatePaletteProvider {
  static $inject = ['palette', 'create', 'elementTemplates', 'eventBus'];
  constructor(
    palette: any,
    private readonly create: any,
    private readonly elementTemplates: any,
    eventBus: any,
  ) {
    palette.registerProvider(400, this);
    // the templates arrive after the palette was drawn; diagram-js offers no public redraw
    eventBus.on('elementTemplates.changed', () => palette._rebuild());
  }
  getPaletteEntries() {
    const entries: Record<string, unknown> = {
      'templates-separator': { group: 'templates', separator: true },
    };
    for (const template of this.elementTemplates.getAll() as Template[]) {
      const start = (event: Event) => this.create.start(event, this.elementTemplates.createElement(template));
      entries[`template.${template.id}`] = {
        group: 'templates',
        imageUrl: ICON,
        title: short(template),
        action: { dragstart: start, click: start },
      };
    }
    return entries;
  }
}

class TemplateReplaceProvider {
  static $inject = ['popupMenu', 'elementTemplates'];
  constructor(
    popupMenu: any,
    private readonly elementTemplates: any,
  ) {
    popupMenu.registerProvider('bpmn-replace', this);
  }
  getPopupMenuEntries(target: any) {
    const entries: Record<string, unknown> = {};
    if (!target.businessObject?.$instanceOf('bpmn:Task')) return entries;
    for (const template of this.elementTemplates.getAll() as Template[])
      entries[`replace-with-template.${template.id}`] = {
        label: short(template),
        imageUrl: ICON,
        group: { id: 'templates', name: 'Prozessplattform' },
        action: () => this.elementTemplates.applyTemplate(target, template),
      };
    return entries;
  }
}

class TemplateAppendProvider {
  static $inject = ['contextPad', 'popupMenu', 'elementTemplates', 'autoPlace', 'canvas'];
  constructor(
    contextPad: any,
    private readonly popupMenu: any,
    private readonly elementTemplates: any,
    private readonly autoPlace: any,
    private readonly canvas: any,
  ) {
    contextPad.registerProvider(400, this);
    popupMenu.registerProvider('prozessplattform-append', this);
  }
  getContextPadEntries(element: any) {
    if (!element.businessObject?.$instanceOf('bpmn:FlowNode') || element.businessObject.$instanceOf('bpmn:EndEvent'))
      return {};
    return {
      'append.template': {
        group: 'model',
        imageUrl: ICON,
        title: 'Vorlage anhängen / Append template',
        action: {
          click: (event: MouseEvent, target: any) => {
            const rect = this.canvas.getContainer().getBoundingClientRect();
            this.popupMenu.open(target, 'prozessplattform-append', {
              x: event.clientX ?? rect.left + 100,
              y: (event.clientY ?? rect.top + 100) + 10,
            });
          },
        },
      },
    };
  }
  getPopupMenuEntries(source: any) {
    const entries: Record<string, unknown> = {};
    for (const template of this.elementTemplates.getAll() as Template[])
      entries[`append-template.${template.id}`] = {
        label: short(template),
        imageUrl: ICON,
        action: () => this.autoPlace.append(source, this.elementTemplates.createElement(template)),
      };
    return entries;
  }
}

export const TemplatesMenuModule = {
  __init__: ['templatePaletteProvider', 'templateReplaceProvider', 'templateAppendProvider'],
  templatePaletteProvider: ['type', TemplatePaletteProvider],
  templateReplaceProvider: ['type', TemplateReplaceProvider],
  templateAppendProvider: ['type', TemplateAppendProvider],
};
