// Every check, in the order their findings are easiest to read. A new check is one function in
// one file of this folder, added here.
import type { Check } from './context';
import { yamlInvalid } from './yamlInvalid';
import { documentSize } from './documentSize';
import { references } from './references';
import { conflictingFields } from './conflictingFields';
import { clientKeys } from './clientKeys';
import { expiry } from './expiry';
import { serverNames } from './serverNames';
import { identity } from './identity';
import { extendedKeyUsage } from './extendedKeyUsage';
import { caCertificates } from './caCertificates';
import { trust } from './trust';
import { keyPairs } from './keyPairs';
import { weakCrypto } from './weakCrypto';
import { secrets } from './secrets';
import { webhooks } from './webhooks';
import { certManager } from './certManager';
import { kubeadmConfig } from './kubeadmConfig';
import { distroConfig } from './distroConfig';
import { kind } from './kind';
import { rbac } from './rbac';

export const allChecks: Check[] = [
  documentSize,
  yamlInvalid,
  references,
  conflictingFields,
  clientKeys,
  expiry,
  serverNames,
  identity,
  extendedKeyUsage,
  caCertificates,
  trust,
  keyPairs,
  weakCrypto,
  secrets,
  webhooks,
  certManager,
  kubeadmConfig,
  distroConfig,
  kind,
  rbac,
];
