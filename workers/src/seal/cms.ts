/**
 * CMS (CAdES-detached) signatures with pkijs: created over a SHA-256 digest ("hash in → signature out",
 * as a remote signing service works) with the signed attributes PAdES baseline B-B asks for — content
 * type, message digest, signing time and the ESS signing-certificate-v2 binding the seal certificate — and
 * verified back to signer, time and integrity.
 */
import { createHash, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
} as const;

pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto }));

const toArrayBuffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

export interface SealKey {
  /** DER of the seal certificate */
  readonly certificate: Uint8Array;
  /** RSASSA-PKCS1-v1_5 / SHA-256 private key */
  readonly privateKey: CryptoKey;
}

/** A detached CMS SignedData (DER) over content whose SHA-256 digest is given. */
export async function signDigest(digest: Uint8Array, key: SealKey, signingTime = new Date()): Promise<Uint8Array> {
  if (digest.length !== 32) throw new Error(`Expected a SHA-256 digest of 32 bytes, but got ${digest.length}.`);
  const certificate = pkijs.Certificate.fromBER(toArrayBuffer(key.certificate));
  const essCertId = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [
          new asn1js.Sequence({
            value: [
              new asn1js.OctetString({
                valueHex: toArrayBuffer(createHash('sha256').update(key.certificate).digest()),
              }),
            ],
          }),
        ],
      }),
    ],
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: certificate.issuer, serialNumber: certificate.serialNumber }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({
          type: 0,
          attributes: [
            new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
            new pkijs.Attribute({ type: OID.signingTime, values: [new asn1js.UTCTime({ valueDate: signingTime })] }),
            new pkijs.Attribute({
              type: OID.messageDigest,
              values: [new asn1js.OctetString({ valueHex: toArrayBuffer(digest) })],
            }),
            new pkijs.Attribute({ type: OID.signingCertificateV2, values: [essCertId] }),
          ],
        }),
      }),
    ],
    certificates: [certificate],
  });
  await signedData.sign(key.privateKey, 0, 'SHA-256');
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return new Uint8Array(contentInfo.toSchema().toBER(false));
}

export interface SignatureCheck {
  /** the signature matches the content and the signer's certificate */
  readonly valid: boolean;
  /** subject of the signer's certificate (CN, O) */
  readonly signer: string;
  readonly signingTime: string | null;
  /** the certificate's validity period covers the signing time */
  readonly certificateValidAtSigning: boolean;
  readonly problems: string[];
}

const nameOf = (name: pkijs.RelativeDistinguishedNames) =>
  name.typesAndValues
    .filter((entry) => entry.type === OID.commonName || entry.type === OID.organization)
    .map((entry) => `${entry.type === OID.commonName ? 'CN' : 'O'}=${entry.value.valueBlock.value}`)
    .join(', ');

/** Verifies a detached CMS signature (DER, trailing padding allowed) over `content`. */
export async function verifyCms(cms: Uint8Array, content: Uint8Array): Promise<SignatureCheck> {
  const problems: string[] = [];
  const parsed = asn1js.fromBER(toArrayBuffer(cms));
  if (parsed.offset === -1)
    return {
      valid: false,
      signer: '',
      signingTime: null,
      certificateValidAtSigning: false,
      problems: ['the signature is no DER'],
    };
  let signedData: pkijs.SignedData;
  try {
    signedData = new pkijs.SignedData({ schema: new pkijs.ContentInfo({ schema: parsed.result }).content });
  } catch (error) {
    return {
      valid: false,
      signer: '',
      signingTime: null,
      certificateValidAtSigning: false,
      problems: [`the signature is no CMS SignedData (${(error as Error).message})`],
    };
  }
  const signerInfo = signedData.signerInfos[0];
  const attribute = (type: string) => signerInfo?.signedAttrs?.attributes.find((entry) => entry.type === type);
  const time = attribute(OID.signingTime)?.values[0] as asn1js.UTCTime | undefined;
  const signingTime = time ? time.toDate() : null;
  const certificate = (signedData.certificates ?? []).find(
    (entry): entry is pkijs.Certificate => entry instanceof pkijs.Certificate,
  );
  if (!attribute(OID.signingCertificateV2))
    problems.push('the signing-certificate-v2 attribute is missing (not PAdES baseline)');
  let valid = false;
  try {
    const result = await signedData.verify({
      signer: 0,
      data: toArrayBuffer(content),
      checkChain: false,
      extendedMode: true,
    });
    valid = result.signatureVerified === true;
    if (!valid) problems.push('the signature does not match the document');
  } catch (error) {
    const message = (error as { message?: string }).message ?? String(error);
    problems.push(`the signature does not match the document (${message})`);
  }
  const certificateValidAtSigning =
    !!certificate &&
    !!signingTime &&
    certificate.notBefore.value <= signingTime &&
    signingTime <= certificate.notAfter.value;
  if (certificate && signingTime && !certificateValidAtSigning)
    problems.push('the certificate was not valid at the signing time');
  return {
    valid: valid && certificateValidAtSigning,
    signer: certificate ? nameOf(certificate.subject) : '',
    signingTime: signingTime ? signingTime.toISOString() : null,
    certificateValidAtSigning,
    problems,
  };
}
