// Distinguished names and extensions read attribute by attribute from DER (the raw subject of a
// parsed certificate, or a CSR's), for decodes that list each attribute as it is encoded.
import {
  children,
  DerError,
  expect,
  isContext,
  isUniversal,
  readBigInt,
  readBitString,
  readBoolean,
  readOid,
  readString,
  TAG,
  value,
  bitAt,
  type Tlv,
} from '../pki/der';
import { formatIP } from '../pki/ip';
import { DN_ATTRIBUTE_NAMES, EKU_NAMES, EXTENSION_NAMES, KEY_USAGE_NAMES, OID } from '../pki/oids';

export interface NameAttribute {
  /** Short name (CN, O, OU, C, …) or the dotted OID when unknown. */
  type: string;
  oid: string;
  value: string;
}

/** The attributes of a Name in encoding order (as `openssl x509 -text` prints them). */
export function nameAttributes(name: Tlv): NameAttribute[] {
  const out: NameAttribute[] = [];
  for (const rdn of children(name, 1000)) {
    if (!isUniversal(rdn, TAG.SET)) throw new DerError('a name component is not a SET');
    for (const atv of children(rdn, 1000)) {
      const [typeTlv, valTlv] = children(atv, 3);
      const oid = readOid(expect(typeTlv, TAG.OID, 'attribute type'));
      if (!valTlv) throw new DerError('attribute without a value');
      const text = valTlv.cls === 0 && !valTlv.constructed ? readString(valTlv).text : '#' + value(valTlv).toString('hex');
      out.push({ type: DN_ATTRIBUTE_NAMES[oid] ?? oid, oid, value: text });
    }
  }
  return out;
}

export function formatAttributes(attrs: NameAttribute[]): string {
  return attrs.map((a) => `${a.type}=${a.value}`).join(', ');
}

/** What a set of extensions says (for a CSR's requested extensions). */
export interface ExtensionSummary {
  dnsNames: string[];
  ipAddresses: string[];
  uris: string[];
  emails: string[];
  keyUsage?: string[];
  extKeyUsage?: string[];
  basicConstraints?: { isCA: boolean; pathLen?: number };
  /** Every extension present, by name (or OID), with whether it is critical. */
  present: { oid: string; name: string; critical: boolean }[];
  undecodable: string[];
}

/** Decodes an Extensions SEQUENCE; one malformed extension never hides the others. */
export function summariseExtensions(seq: Tlv): ExtensionSummary {
  const s: ExtensionSummary = { dnsNames: [], ipAddresses: [], uris: [], emails: [], present: [], undecodable: [] };
  for (const ext of children(seq, 1000)) {
    let oid = '?';
    try {
      const f = children(ext, 4);
      oid = readOid(expect(f[0], TAG.OID, 'extnID'));
      let i = 1;
      let critical = false;
      if (f[i] && isUniversal(f[i], TAG.BOOLEAN)) critical = readBoolean(f[i++]);
      const v = value(expect(f[i], TAG.OCTET_STRING, 'extnValue'));
      s.present.push({ oid, name: EXTENSION_NAMES[oid] ?? oid, critical });
      decodeOne(oid, v, s);
    } catch {
      s.undecodable.push(oid);
    }
  }
  return s;
}

function one(buf: Buffer): Tlv {
  const holder: Tlv = { cls: 0, constructed: true, tagNumber: 16, start: 0, valueStart: 0, end: buf.length, buf };
  const [t, extra] = children(holder, 2);
  if (!t || extra) throw new DerError('expected exactly one element');
  return t;
}

function decodeOne(oid: string, v: Buffer, s: ExtensionSummary): void {
  switch (oid) {
    case OID.subjectAltName:
      for (const gn of children(expect(one(v), TAG.SEQUENCE, 'subjectAltName'), 10_000)) {
        if (gn.cls !== 2) throw new DerError('GeneralName is not context-specific');
        const data = value(gn);
        if (gn.tagNumber === 1) s.emails.push(data.toString('latin1'));
        else if (gn.tagNumber === 2) s.dnsNames.push(data.toString('latin1'));
        else if (gn.tagNumber === 6) s.uris.push(data.toString('latin1'));
        else if (gn.tagNumber === 7 && (data.length === 4 || data.length === 16)) s.ipAddresses.push(formatIP(data));
      }
      return;
    case OID.keyUsage: {
      const bs = readBitString(expect(one(v), TAG.BIT_STRING, 'keyUsage'));
      s.keyUsage = KEY_USAGE_NAMES.filter((_, i) => bitAt(bs, i));
      return;
    }
    case OID.extKeyUsage:
      s.extKeyUsage = children(expect(one(v), TAG.SEQUENCE, 'extKeyUsage'), 1000).map((t) => {
        const o = readOid(expect(t, TAG.OID, 'KeyPurposeId'));
        return EKU_NAMES[o] ?? o;
      });
      return;
    case OID.basicConstraints: {
      let isCA = false;
      let pathLen: number | undefined;
      for (const f of children(expect(one(v), TAG.SEQUENCE, 'basicConstraints'), 4)) {
        if (isUniversal(f, TAG.BOOLEAN)) isCA = readBoolean(f);
        else if (isUniversal(f, TAG.INTEGER)) pathLen = Number(readBigInt(f));
        else if (!isContext(f, 0)) throw new DerError('unexpected field in basicConstraints');
      }
      s.basicConstraints = pathLen === undefined ? { isCA } : { isCA, pathLen };
      return;
    }
    default:
      one(v); // at least well-formed DER
  }
}
