/** What the portal reads from the API (the shapes of schemas/service.public*, application*, mailbox-message). */
import type { FormSchema } from '../src/shared/form-view.js';

/** the demo municipality of the Quick start (api/src/demo) */
export const DEFAULT_ARS = '091620000000';

export interface PublicService {
  readonly serviceId: string;
  readonly tenantId: string;
  readonly leikaKey: string;
  readonly title: string;
  readonly description: string;
  readonly trustLevel: 'niedrig' | 'substanziell' | 'hoch';
  readonly feeHint: string | null;
}

export interface PublicServiceDetails extends PublicService {
  readonly form: FormSchema;
  readonly dataSchema: object;
}

export type ApplicationStatus =
  'RECEIVED' | 'IN_PROCESSING' | 'WAITING_FOR_APPLICANT' | 'PAYMENT_DUE' | 'DECIDED' | 'CLOSED';

export interface Application {
  readonly processInstanceKey: string;
  readonly caseNumber: string;
  readonly tenantId: string;
  readonly serviceId: string;
  readonly serviceTitle: string;
  readonly submittedAt: string;
  readonly caseState: 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
  readonly awaitingReply: boolean;
  readonly status: ApplicationStatus;
  readonly payment: { amountCents: number; paymentUrl: string; state: 'OPEN' | 'PAID' | 'FAILED' | 'CANCELED' } | null;
}

export interface DocumentInfo {
  readonly documentKey: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
  readonly createdAt: string;
}

export interface MailboxMessage {
  readonly messageKey: string;
  readonly processInstanceKey: string;
  readonly caseNumber: string;
  readonly direction: 'TO_APPLICANT' | 'FROM_APPLICANT';
  readonly subject: string;
  readonly body: string;
  readonly documentKeys: readonly string[];
  readonly expectsReply: boolean;
  readonly repliedAt: string | null;
  readonly createdAt: string;
}

export interface ApplicationDetails extends Application {
  readonly documents: readonly DocumentInfo[];
  readonly mailbox: readonly MailboxMessage[];
}

export interface Receipt {
  readonly processInstanceKey: string;
  readonly caseNumber: string;
  readonly serviceTitle: string;
  readonly submittedAt: string;
  readonly message: { readonly de: string; readonly en: string };
}

export interface SealVerification {
  readonly sealed: boolean;
  readonly valid: boolean;
  readonly signer: string;
  readonly signingTime: string | null;
  readonly problems: readonly string[];
}
