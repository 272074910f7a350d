/**
 * The sealed document: a PDF rendered from a text template with the case's variables (pdf-lib), sealed as
 * PAdES (a CAdES-detached CMS signature in the PDF's signature field, sub-filter ETSI.CAdES.detached,
 * placed by @signpdf), and verified back: which seal, when, and whether every signed byte is unchanged.
 */
import { createHash } from 'node:crypto';
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { extractSignature, Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { verifyCms, type SignatureCheck } from './cms.js';
import type { SealSigner } from './signer.js';

/** A placeholder `{{path.to.value}}` whose value the case lacks. */
export class TemplateError extends Error {
  readonly code = 'TEMPLATE_INVALID' as const;
}

/** Fills `{{path}}` placeholders from the variables; every missing one is named. */
export function fillTemplate(template: string, variables: Record<string, unknown>): string {
  const missing: string[] = [];
  const filled = template.replace(
    /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}/g,
    (_match, path: string) => {
      const value = path
        .split('.')
        .reduce<unknown>(
          (node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
          variables,
        );
      if (value === undefined || value === null || typeof value === 'object') {
        missing.push(path);
        return '';
      }
      return String(value);
    },
  );
  if (missing.length)
    throw new TemplateError(
      `Expected the case to provide ${[...new Set(missing)].map((path) => `{{${path}}}`).join(', ')} for the document, but it does not.`,
    );
  return filled;
}

/** Characters Helvetica (WinAnsi) cannot draw are replaced, so an unusual name never breaks a Bescheid. */
const drawable = (text: string) => text.replace(/[^\x20-\x7E\xA0-\xFF€„“–—‚‘’…]/g, '?');

function wrap(line: string, width: number): string[] {
  const words = line.split(/\s+/);
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    if (current && `${current} ${word}`.length > width) {
      lines.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  lines.push(current);
  return lines;
}

export interface RenderedDocument {
  readonly pdf: Buffer;
  readonly sha256: string;
}

/** Renders title and text to an A4 PDF and seals it with the tenant's seal. */
export async function renderSealedPdf(
  content: { title: string; text: string; author: string },
  seal: { signer: SealSigner; tenantId: string; reason: string; location: string },
  signingTime = new Date(),
): Promise<RenderedDocument> {
  const pdfDoc = await PDFDocument.create();
  pdfDoc.setTitle(content.title);
  pdfDoc.setAuthor(content.author);
  pdfDoc.setProducer('Prozessplattform');
  pdfDoc.setCreationDate(signingTime);
  pdfDoc.setModificationDate(signingTime);
  const font = await pdfDoc.embedFont(StandardFonts.Helvetica);
  const bold = await pdfDoc.embedFont(StandardFonts.HelveticaBold);
  let page = pdfDoc.addPage([595.28, 841.89]);
  let y = 780;
  page.drawText(drawable(content.title), { x: 60, y, size: 16, font: bold });
  y -= 32;
  for (const paragraph of content.text.split(/\r?\n/))
    for (const line of wrap(drawable(paragraph), 90)) {
      if (y < 60) {
        page = pdfDoc.addPage([595.28, 841.89]);
        y = 780;
      }
      page.drawText(line, { x: 60, y, size: 11, font });
      y -= 15;
    }
  pdfDoc
    .getPages()
    .at(-1)!
    .drawText(drawable(`Elektronisch gesiegelt / electronically sealed: ${signingTime.toISOString()}`), {
      x: 60,
      y: 40,
      size: 8,
      font,
    });
  pdflibAddPlaceholder({
    pdfDoc,
    reason: seal.reason,
    contactInfo: '',
    name: content.author,
    location: seal.location,
    signingTime,
    signatureLength: 16_384,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    appName: 'Prozessplattform',
  });
  const unsigned = Buffer.from(await pdfDoc.save({ useObjectStreams: false }));

  class TenantSeal extends Signer {
    override async sign(signedBytes: Buffer, time?: Date): Promise<Buffer> {
      const digest = createHash('sha256').update(signedBytes).digest();
      return Buffer.from(await seal.signer.sign(seal.tenantId, digest, time ?? signingTime));
    }
  }
  const pdf = await new SignPdf().sign(unsigned, new TenantSeal(), signingTime);
  return { pdf, sha256: createHash('sha256').update(pdf).digest('hex') };
}

/** Signer, signing time and integrity of a sealed PDF. */
export async function verifySealedPdf(pdf: Buffer): Promise<SignatureCheck & { sealed: boolean }> {
  let extracted: { ByteRange: number[]; signedData: Buffer };
  try {
    extracted = extractSignature(pdf) as { ByteRange: number[]; signedData: Buffer };
  } catch {
    return {
      sealed: false,
      valid: false,
      signer: '',
      signingTime: null,
      certificateValidAtSigning: false,
      problems: ['the document carries no seal'],
    };
  }
  const [start, length, next, rest] = extracted.ByteRange;
  const problems: string[] = [];
  if (start !== 0 || next + rest !== pdf.length) problems.push('the seal does not cover the whole document');
  // the signature's hex sits between the two signed ranges, padded with zeros
  const hex = pdf.subarray(start + length + 1, next - 1).toString('latin1');
  const check = await verifyCms(new Uint8Array(Buffer.from(hex, 'hex')), new Uint8Array(extracted.signedData));
  return {
    sealed: true,
    ...check,
    valid: check.valid && problems.length === 0,
    problems: [...problems, ...check.problems],
  };
}
