// Differential testing against the real programs: build a healthy kubeadm node tree (cluster.mjs), apply ONE
// change drawn from a catalogue by a seeded PRNG, then ask Debian's Go programs which connections of the tree
// work and compare with what kube-pki's engine reports on the same tree.
//
//   const r = await runSeed(7, { workDir });   // { seed, change, description, connections: [...], agrees, total }
//
// The real programs (test/helpers/tools.mjs):
//   - the apiserver's role: Debian's etcd serving the apiserver's serving pair (--tls-cert-file/--tls-private-key-file)
//     and trusting its --client-ca-file with --client-cert-auth. etcd answers GET /version only after the
//     handshake succeeded both ways. A second etcd serves the same pair without asking for a client certificate:
//     what an in-cluster client (a pod with a token) sees at kubernetes.default.svc and the Service IP.
//   - each kubeconfig (admin, super-admin, controller-manager, scheduler, kubelet): `kubectl get --raw /version`.
//   - the etcd role: etcd with the tree's etcd.yaml certificates (client and peer side, both requiring client
//     certificates); the apiserver's --etcd-* client with `etcdctl endpoint health` (or kubectl when the
//     --etcd-servers host is a name 127.0.0.1 cannot stand for), a client at etcd's advertised client URL, and a
//     peer dialling the member's advertised peer URL with the member's own peer certificate (a second member does
//     exactly that): kubectl with the peer pair against the peer port, which serves /version too.
// The etcd healthcheck client pair (pki/etcd/healthcheck-client.*) is left out: no file of the tree uses it (kubeadm's
// probes read etcd's plain-HTTP metrics port), and what nothing uses is never an error.
// Every dial goes to 127.0.0.1 (the processes listen there only, on free ports) with the host the tree names
// given as the TLS server name (kubeconfig tls-server-name), which is what Go verifies: the dialled address
// plays no part in certificate verification.
//
// Which kube-pki findings are "about" a connection: the errors on the lines of its files (the kubeconfig, the
// flags of each side). A refused connection must have such an error whose code matches the program's error
// (GO_ERRORS); a connection that works must have none, except identity codes (cn-mismatch, org-mismatch,
// rbac-unbound: authorization the handshake does not exercise). An error on a line several connections share
// (the apiserver's --tls-cert-file) counts against a working connection only when no connection sharing it
// is refused.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import YAML from 'yaml';
import { buildCluster, generatorOf, loadEngine } from './cluster.mjs';
import { runAsync, tool } from './tools.mjs';
import { freePort, startGroup } from './vscode-host.mjs';

const DAY = 86_400_000;

// ------------------------------------------------------------------------------------------------ PRNG

/** mulberry32: a small seeded PRNG, so that a seed replays the same change. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    shuffle: (arr) => {
      const out = [...arr];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
  };
}

// ------------------------------------------------------------------------------------------------ Go's errors

/**
 * Go's error (crypto/x509, crypto/tls) -> the kube-pki codes that say the same. The first pattern that
 * matches decides.
 */
export const GO_ERRORS = [
  [/private key (type )?does not match public key|tls: failed to find any PEM data|failed to parse private key/, ['key-mismatch', 'pem-invalid']],
  [/incompatible key usage/, ['eku-missing', 'untrusted-issuer']],
  [/has expired or is not yet valid/, ['cert-expired', 'cert-not-yet-valid']],
  [/certificate is valid for|not valid for any names|legacy Common Name field|doesn't contain any IP SANs/, ['san-missing']],
  [/not authorized to sign other certificates/, ['not-a-ca', 'untrusted-issuer']],
  [/too many intermediates for path length constraint/, ['untrusted-issuer', 'not-a-ca']],
  [/not authorized to sign for this name/, ['untrusted-issuer', 'san-missing']],
  [/certificate signed by unknown authority/, ['untrusted-issuer', 'not-a-ca']],
];

/** Codes about identity and authorization, which a TLS handshake does not exercise. */
const NOT_TLS = new Set(['cn-mismatch', 'org-mismatch', 'rbac-unbound']);

export function codesFor(goError) {
  for (const [re, codes] of GO_ERRORS) if (re.test(goError)) return codes;
  return undefined;
}

// ------------------------------------------------------------------------------------------------ the tree

const OID_EKU = { '1.3.6.1.5.5.7.3.1': 'serverAuth', '1.3.6.1.5.5.7.3.2': 'clientAuth' };

/** What a certificate holds, for re-issuing it with one thing changed. */
function specOf(pem) {
  const x = new X509Certificate(pem);
  const subject = x.subject.split('\n');
  const cn = subject.find((s) => s.startsWith('CN='))?.slice(3);
  const orgs = subject.filter((s) => s.startsWith('O=')).map((s) => s.slice(2));
  const dnsNames = [];
  const ipAddresses = [];
  for (const part of (x.subjectAltName ?? '').split(', ').filter(Boolean)) {
    if (part.startsWith('DNS:')) dnsNames.push(part.slice(4));
    else if (part.startsWith('IP Address:')) ipAddresses.push(part.slice(11));
  }
  const eku = (x.keyUsage ?? []).map((o) => OID_EKU[o]).filter(Boolean);
  return { commonName: cn, organizations: orgs.length ? orgs : undefined, dnsNames, ipAddresses, extKeyUsage: eku, isCA: x.ca };
}

const b64 = (s) => Buffer.from(s).toString('base64');

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * The mutable tree: certificates by name (as cluster.mjs names them), and edits that replace a certificate
 * or key everywhere it is written (PEM files, kubeconfig *-data, the kubelet's cert+key file).
 */
class Tree {
  constructor(cluster, gen, rnd, workDir) {
    this.cluster = cluster;
    this.gen = gen;
    this.rnd = rnd;
    this.workDir = workDir;
    this.root = cluster.dir;
    this.certs = { ...cluster.certs };
    this.notes = [];
  }

  file(name) {
    return this.cluster.files[name];
  }

  read(name) {
    return readFileSync(this.file(name), 'utf8');
  }

  write(name, text) {
    writeFileSync(this.file(name), text);
  }

  /** Replaces text (and its base64 form, as kubeconfigs embed it) in every file of the tree. */
  replaceEverywhere(oldText, newText) {
    let n = 0;
    for (const f of walk(this.root)) {
      const t = readFileSync(f, 'utf8');
      if (!t.includes(oldText) && !t.includes(b64(oldText))) continue;
      writeFileSync(f, t.split(oldText).join(newText).split(b64(oldText)).join(b64(newText)));
      n++;
    }
    if (n === 0) throw new Error(`truth harness: nothing to replace (${oldText.slice(0, 60)}...)`);
  }

  /** Puts a new certificate (and its key, when it has another one) where certificate `name` was. */
  swapCert(name, issued, { chain = '' } = {}) {
    const old = this.certs[name];
    this.replaceEverywhere(old.certPem, issued.certPem + chain);
    if (issued.key && issued.key.privateKeyPem !== old.key.privateKeyPem) this.replaceEverywhere(old.key.privateKeyPem, issued.key.privateKeyPem);
    this.certs[name] = issued;
  }

  /** Re-issues certificate `name` as it is, with `changes` (a CertRequest's fields) on top. */
  async reissue(name, changes = {}, { chain } = {}) {
    const old = this.certs[name];
    const spec = specOf(old.certPem);
    const issuerName = ISSUERS[name];
    const req = {
      commonName: spec.commonName,
      organizations: spec.organizations,
      dnsNames: spec.dnsNames,
      ipAddresses: spec.ipAddresses,
      extKeyUsage: spec.isCA ? undefined : spec.extKeyUsage,
      isCA: spec.isCA,
      key: old.key,
      issuer: issuerName ? this.certs[issuerName] : undefined,
      ...(spec.isCA ? { subjectDer: Buffer.from(old.cert.subjectName.toArrayBuffer()) } : {}),
      ...changes,
    };
    if (req.issuer === undefined) delete req.issuer;
    const issued = await this.gen.issueCertificate(req);
    this.swapCert(name, issued, { chain });
    return issued;
  }

  async newKey(type = 'rsa-2048') {
    return this.gen.generateKey(type);
  }

  /** Another CA with the same name as `caName` and another key. */
  async impostor(caName) {
    const ca = this.certs[caName];
    return this.gen.issueCertificate({
      subjectDer: Buffer.from(ca.cert.subjectName.toArrayBuffer()),
      isCA: true,
      key: await this.newKey('ecdsa-p256'),
      notBefore: new Date(Date.now() - 30 * DAY),
    });
  }

  /** openssl, in the work folder (certificates the generator does not make: version 1, name constraints). */
  openssl(args, input) {
    return execFileSync('openssl', args, { cwd: this.workDir, input, stdio: ['pipe', 'pipe', 'pipe'] }).toString('utf8');
  }

  tmp(name, text) {
    const p = path.join(this.workDir, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  }

  /** An intermediate CA between `caName` and its leaf, made by openssl with these extensions. */
  async opensslIntermediate(caName, ext, subject = '/CN=intermediate') {
    const ca = this.certs[caName];
    const key = await this.newKey('ecdsa-p256');
    const keyFile = this.tmp('inter.key', key.privateKeyPem);
    const caCert = this.tmp('ca.crt', ca.certPem);
    const caKey = this.tmp('ca.key', ca.key.privateKeyPem);
    const extFile = this.tmp('inter.ext', ext);
    this.openssl(['req', '-new', '-key', keyFile, '-subj', subject, '-out', 'inter.csr']);
    this.openssl([
      'x509',
      '-req',
      '-in',
      'inter.csr',
      '-CA',
      caCert,
      '-CAkey',
      caKey,
      '-set_serial',
      String(1000 + this.rnd.int(100000)),
      '-days',
      '365',
      '-sha256',
      '-extfile',
      extFile,
      '-out',
      'inter.crt',
    ]);
    return this.gen.loadIssuer(readFileSync(path.join(this.workDir, 'inter.crt'), 'utf8'), key.privateKeyPem);
  }
}

/** Who signed each certificate of the tree (cluster.mjs). */
const ISSUERS = {
  apiserver: 'ca',
  'admin.conf': 'ca',
  'super-admin.conf': 'ca',
  'controller-manager.conf': 'ca',
  'scheduler.conf': 'ca',
  'kubelet-client': 'ca',
  'apiserver-etcd-client': 'etcd-ca',
  'etcd-server': 'etcd-ca',
  'etcd-peer': 'etcd-ca',
};

const SERVING = ['apiserver', 'etcd-server', 'etcd-peer'];
const CLIENTS = ['admin.conf', 'super-admin.conf', 'controller-manager.conf', 'scheduler.conf', 'kubelet-client', 'apiserver-etcd-client'];
const LEAVES = [...SERVING, ...CLIENTS];
const CAS = ['ca', 'etcd-ca'];
const KUBECONFIGS = ['admin.conf', 'super-admin.conf', 'controller-manager.conf', 'scheduler.conf', 'kubelet.conf'];
/** Hosts to dial: some the certificates name, some they do not. */
const HOSTS = [
  '127.0.0.1',
  '192.168.10.11',
  'localhost',
  'cp1',
  '127.0.0.2',
  'cp.example.internal',
  'kubernetes.default.svc',
  '10.96.0.1',
  'etcd.example.internal',
];

// ------------------------------------------------------------------------------------------------ the catalogue

/** Sets a kubeconfig's cluster server host (keeping its port), or its tls-server-name. */
function editKubeconfig(t, conf, edit) {
  const doc = YAML.parseDocument(t.read(conf));
  edit(doc.get('clusters').items[0].get('cluster'), doc);
  t.write(conf, doc.toString({ lineWidth: 0 }));
}

function setFlag(t, manifest, flag, value) {
  const text = t.read(manifest);
  const re = new RegExp(`^(\\s*- --${flag}=).*$`, 'm');
  if (!re.test(text)) throw new Error(`truth harness: no --${flag} in ${manifest}`);
  t.write(manifest, text.replace(re, `$1${value}`));
}

/**
 * The catalogue: each change takes the tree and the PRNG and returns what it did (a sentence). `rule` names a
 * rule of a Go release that decides the outcome where releases differ: `text`, and `since`, the Go 1.x release
 * from which the programs judge as kube-pki does (kube-pki follows the newer rule).
 */
export const CHANGES = [
  {
    name: 'san-removed',
    async apply(t) {
      const name = t.rnd.pick(SERVING);
      const s = specOf(t.certs[name].certPem);
      const all = [...s.dnsNames.map((n) => ['dns', n]), ...s.ipAddresses.map((n) => ['ip', n])];
      const [kind, gone] = t.rnd.pick(all);
      await t.reissue(
        name,
        kind === 'dns' ? { dnsNames: s.dnsNames.filter((n) => n !== gone) } : { ipAddresses: s.ipAddresses.filter((n) => n !== gone) },
      );
      return `${name}: SAN ${gone} removed`;
    },
  },
  {
    name: 'san-added',
    async apply(t) {
      const name = t.rnd.pick(SERVING);
      const s = specOf(t.certs[name].certPem);
      const extra = t.rnd.pick(['cp.example.internal', '10.0.0.9', 'api.example.com']);
      if (/^\d/.test(extra)) await t.reissue(name, { ipAddresses: [...s.ipAddresses, extra] });
      else await t.reissue(name, { dnsNames: [...s.dnsNames, extra] });
      return `${name}: SAN ${extra} added`;
    },
  },
  {
    name: 'san-wildcard',
    async apply(t) {
      // The apiserver certificate names *.example.internal; a kubeconfig dials a name it covers or one it does not.
      const s = specOf(t.certs.apiserver.certPem);
      await t.reissue('apiserver', { dnsNames: [...s.dnsNames, '*.example.internal'] });
      const conf = t.rnd.pick(KUBECONFIGS);
      const host = t.rnd.pick(['cp.example.internal', 'a.cp.example.internal', 'example.internal']);
      editKubeconfig(t, conf, (cluster) => cluster.set('tls-server-name', host));
      return `apiserver: SAN *.example.internal added; ${conf} tls-server-name: ${host}`;
    },
  },
  {
    name: 'san-moved',
    async apply(t) {
      // An IP address written as a DNS SAN (Go matches an IP host against IP SANs only), or a name moved away.
      const name = t.rnd.pick(SERVING);
      const s = specOf(t.certs[name].certPem);
      const ip = t.rnd.pick(s.ipAddresses.filter((i) => !i.includes(':')));
      await t.reissue(name, { ipAddresses: s.ipAddresses.filter((i) => i !== ip), dnsNames: [...s.dnsNames, ip] });
      return `${name}: SAN IP ${ip} moved to a DNS SAN "${ip}"`;
    },
  },
  {
    name: 'cn-only',
    rule: {
      since: 17,
      text: 'Go 1.15 stopped matching the Common Name of a certificate without SANs, and Go 1.17 removed GODEBUG x509ignoreCN=0: "x509: certificate relies on legacy Common Name field, use SANs instead"',
    },
    async apply(t) {
      const name = t.rnd.pick(SERVING);
      const host = name === 'apiserver' ? '192.168.10.11' : name === 'etcd-peer' ? '192.168.10.11' : '127.0.0.1';
      const cn = t.rnd.pick([host, 'cp1', 'localhost']);
      await t.reissue(name, { commonName: cn, dnsNames: [], ipAddresses: [] });
      return `${name}: no SANs, CN=${cn}`;
    },
  },
  {
    name: 'resigned-by-impostor-ca',
    async apply(t) {
      const name = t.rnd.pick(LEAVES);
      const other = await t.impostor(ISSUERS[name]);
      await t.reissue(name, { issuer: other });
      return `${name}: re-signed by another CA named like ${ISSUERS[name]} (other key)`;
    },
  },
  {
    name: 'leaf-expired',
    async apply(t) {
      const name = t.rnd.pick(LEAVES);
      await t.reissue(name, { notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - t.rnd.pick([1, 35]) * DAY) });
      return `${name}: expired`;
    },
  },
  {
    name: 'leaf-not-yet-valid',
    async apply(t) {
      const name = t.rnd.pick(LEAVES);
      await t.reissue(name, { notBefore: new Date(Date.now() + 3 * DAY), notAfter: new Date(Date.now() + 300 * DAY) });
      return `${name}: valid only from 3 days ahead`;
    },
  },
  {
    name: 'ca-expired',
    async apply(t) {
      const name = t.rnd.pick(CAS);
      await t.reissue(name, { notBefore: new Date(Date.now() - 4000 * DAY), notAfter: new Date(Date.now() - 2 * DAY) });
      return `${name}: the CA (same key and name) expired`;
    },
  },
  {
    name: 'ca-not-yet-valid',
    async apply(t) {
      const name = t.rnd.pick(CAS);
      await t.reissue(name, { notBefore: new Date(Date.now() + 2 * DAY), notAfter: new Date(Date.now() + 3650 * DAY) });
      return `${name}: the CA (same key and name) valid only from 2 days ahead`;
    },
  },
  {
    name: 'eku-one',
    async apply(t) {
      const name = t.rnd.pick(LEAVES);
      const eku = t.rnd.pick([['serverAuth'], ['clientAuth']]);
      await t.reissue(name, { extKeyUsage: eku });
      return `${name}: extended key usage ${eku[0]} only`;
    },
  },
  {
    name: 'key-swapped',
    async apply(t) {
      // The private key file of a pair replaced by another key (the certificate unchanged).
      const name = t.rnd.pick(LEAVES);
      const other = await t.newKey(t.rnd.pick(['rsa-2048', 'ecdsa-p256']));
      t.replaceEverywhere(t.certs[name].key.privateKeyPem, other.privateKeyPem);
      return `${name}: private key replaced by another key`;
    },
  },
  {
    name: 'intermediate',
    async apply(t) {
      // The leaf issued by an intermediate under its CA; the leaf's file carries leaf + intermediate.
      const name = t.rnd.pick(LEAVES);
      const caName = ISSUERS[name];
      const variant = t.rnd.pick(['plain', 'not-ca', 'pathlen-0', 'root-pathlen-0', 'name-constraints', 'eku-serverAuth', 'eku-clientAuth']);
      let inter;
      const ca = t.certs[caName];
      if (variant === 'name-constraints') {
        const list = t.rnd.pick([
          'permitted;DNS:.example.internal',
          'permitted;DNS:cp1,permitted;IP:192.168.10.0/255.255.255.0',
          'permitted;IP:127.0.0.0/255.0.0.0',
        ]);
        inter = await t.opensslIntermediate(
          caName,
          `basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,digitalSignature\nnameConstraints=critical,${list}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n`,
        );
        inter.variant = `name constraints ${list}`;
      } else {
        const root = variant === 'root-pathlen-0' ? await t.reissue(caName, { pathLen: 0 }) : ca;
        inter = await t.gen.issueCertificate({
          commonName: `${caName}-intermediate`,
          isCA: variant !== 'not-ca',
          keyUsage: ['keyCertSign', 'digitalSignature'],
          pathLen: variant === 'pathlen-0' ? 0 : undefined,
          extKeyUsage: variant === 'eku-serverAuth' ? ['serverAuth'] : variant === 'eku-clientAuth' ? ['clientAuth'] : undefined,
          issuer: root,
          key: await t.newKey('ecdsa-p256'),
        });
      }
      const issued = await t.gen.issueCertificate({ ...leafRequest(t, name), issuer: inter });
      t.swapCert(name, issued, { chain: inter.certPem });
      return `${name}: issued by an intermediate (${inter.variant ?? variant}) under ${caName}, sent with the leaf`;
    },
  },
  {
    name: 'v1-root',
    async apply(t) {
      // The CA re-made as a version 1 certificate (no extensions) with the same name and key: Go takes it as a root.
      const name = t.rnd.pick(CAS);
      const ca = t.certs[name];
      const key = t.tmp('v1.key', ca.key.privateKeyPem);
      const subj = '/CN=' + specOf(ca.certPem).commonName;
      // PrintableString, as the generator (and Go) encode an ASCII name: Go matches issuer and subject byte for byte.
      const cnf = t.tmp('v1.cnf', '[req]\ndistinguished_name = dn\nstring_mask = default\n[dn]\n');
      t.openssl(['req', '-new', '-config', cnf, '-key', key, '-subj', subj, '-out', 'v1.csr']);
      t.openssl(['x509', '-req', '-in', 'v1.csr', '-signkey', key, '-days', '3650', '-sha256', '-out', 'v1.crt']);
      const pem = readFileSync(path.join(t.workDir, 'v1.crt'), 'utf8');
      t.replaceEverywhere(ca.certPem, pem);
      t.certs[name] = { ...ca, certPem: pem };
      return `${name}: replaced by a version 1 self-signed certificate with the same name and key`;
    },
  },
  {
    name: 'ca-bundle',
    async apply(t) {
      // A CA file holding the right CA and others (an impostor with the same name, an unrelated CA), in some order.
      const name = t.rnd.pick(CAS);
      const ca = t.certs[name];
      const others = [
        await t.impostor(name),
        await t.gen.issueCertificate({ commonName: 'some-other-ca', isCA: true, key: await t.newKey('ecdsa-p256') }),
      ];
      const bundle = t.rnd.shuffle([ca.certPem, ...others.map((o) => o.certPem)]).join('');
      // Only in the files that verify (CA files and kubeconfig certificate-authority-data), not in the CA's own pair.
      const where = t.rnd.pick(name === 'ca' ? ['pki/ca.crt', ...KUBECONFIGS.filter((k) => k !== 'kubelet.conf')] : ['pki/etcd/ca.crt']);
      const text = t.read(where);
      t.write(where, text.includes(ca.certPem) ? text.replace(ca.certPem, bundle) : text.replace(b64(ca.certPem), b64(bundle)));
      return `${where}: ${name} bundled with two other CAs (${bundle.indexOf(ca.certPem) === 0 ? 'first' : 'not first'})`;
    },
  },
  {
    name: 'sha1-leaf',
    rule: {
      since: 18,
      text: 'Go 1.18 refuses SHA-1 signatures in chains (GODEBUG x509sha1=1 until Go 1.24): "x509: cannot verify signature: insecure algorithm SHA1-RSA"',
    },
    async apply(t) {
      const name = t.rnd.pick(LEAVES.filter((n) => n !== 'kubelet-client')); // an ECDSA key: SHA-1 with RSA is the common case
      await t.reissue(name, { signatureHash: 'SHA-1' });
      return `${name}: signed with SHA-1`;
    },
  },
  {
    name: 'rsa1024-leaf',
    rule: { text: 'Go 1.24 refuses RSA keys under 1024 bits; 1024 bits work in every Go release (kube-pki warns: weak-key)' },
    async apply(t) {
      const name = t.rnd.pick(LEAVES);
      await t.reissue(name, { key: await t.newKey('rsa-1024') });
      return `${name}: RSA 1024-bit key`;
    },
  },
  {
    name: 'kubeconfig-host',
    async apply(t) {
      const conf = t.rnd.pick(KUBECONFIGS);
      const host = t.rnd.pick(HOSTS);
      const viaName = t.rnd.int(2) === 0;
      editKubeconfig(t, conf, (cluster) => {
        if (viaName) cluster.set('tls-server-name', host);
        else {
          const u = new URL(cluster.get('server'));
          cluster.set('server', `https://${host}:${u.port}`);
        }
      });
      return `${conf}: ${viaName ? 'tls-server-name' : 'server host'} ${host}`;
    },
  },
  {
    name: 'etcd-url',
    async apply(t) {
      const host = t.rnd.pick(HOSTS.filter((h) => h !== '127.0.0.1'));
      const which = t.rnd.pick(['etcd-servers', 'advertise-client-urls', 'initial-advertise-peer-urls']);
      if (which === 'etcd-servers') setFlag(t, 'kube-apiserver.yaml', 'etcd-servers', `https://${host}:2379`);
      else if (which === 'advertise-client-urls') setFlag(t, 'etcd.yaml', 'advertise-client-urls', `https://${host}:2379`);
      else {
        setFlag(t, 'etcd.yaml', 'initial-advertise-peer-urls', `https://${host}:2380`);
        setFlag(t, 'etcd.yaml', 'initial-cluster', `cp1=https://${host}:2380`);
      }
      return `--${which}: host ${host}`;
    },
  },
  {
    name: 'rekeyed',
    async apply(t) {
      // A new key and certificate, made right: nothing may change.
      const name = t.rnd.pick(LEAVES);
      await t.reissue(name, { key: await t.newKey(t.rnd.pick(['rsa-2048', 'ecdsa-p256', 'ecdsa-p384'])) });
      return `${name}: re-keyed and re-signed correctly`;
    },
  },
  {
    name: 'comments-and-order',
    async apply(t) {
      // Comments and key order in a kubeconfig or a manifest: nothing may change.
      const file = t.rnd.pick([...KUBECONFIGS, 'kube-apiserver.yaml', 'etcd.yaml']);
      const doc = YAML.parseDocument(t.read(file));
      doc.commentBefore = ' edited by hand';
      const items = doc.contents.items;
      doc.contents.items = t.rnd.shuffle(items);
      for (const it of doc.contents.items) if (t.rnd.int(2)) it.key.commentBefore = ' a comment';
      t.write(file, doc.toString({ lineWidth: 0 }));
      return `${file}: comments added, top-level keys reordered`;
    },
  },
  {
    name: 'ca-eku',
    async apply(t) {
      // The CA (same name and key) re-made with an extended key usage list: Go carries it down to every leaf.
      const name = t.rnd.pick(CAS);
      const eku = t.rnd.pick([['serverAuth'], ['clientAuth'], ['serverAuth', 'clientAuth']]);
      await t.reissue(name, { extKeyUsage: eku });
      return `${name}: the CA (same key and name) allows only ${eku.join(' and ')}`;
    },
  },
];

/** The CertRequest that re-makes leaf `name` as it is (its SANs, EKU, subject, key). */
function leafRequest(t, name) {
  const s = specOf(t.certs[name].certPem);
  return {
    commonName: s.commonName,
    organizations: s.organizations,
    dnsNames: s.dnsNames,
    ipAddresses: s.ipAddresses,
    extKeyUsage: s.extKeyUsage,
    key: t.certs[name].key,
  };
}

// ------------------------------------------------------------------------------------------------ connections

function flagsOf(text) {
  const out = {};
  for (const m of text.matchAll(/^\s*- --([a-z0-9-]+)=(.*)$/gm)) out[m[1]] = m[2].trim();
  return out;
}

/** The 0-based lines of a file holding these flags. */
function flagLines(text, flags) {
  const lines = text.split('\n');
  const out = new Set();
  lines.forEach((l, i) => {
    for (const f of flags) if (l.includes(`- --${f}=`) || l.trim() === `- --${f}`) out.add(i);
  });
  return out;
}

/** A node path (/etc/kubernetes/...) inside the tree. */
function inTree(root, p) {
  return path.isAbsolute(p) ? path.join(root, p) : p;
}

function hostPort(url) {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port };
}

/** A kubeconfig for kubectl: every dial to 127.0.0.1:port, the tree's host as the TLS server name. */
function runKubeconfig({ caFile, caData, certFile, keyFile, certData, keyData, serverName, port }) {
  const cluster = { server: `https://127.0.0.1:${port}`, 'tls-server-name': serverName };
  if (caData) cluster['certificate-authority-data'] = caData;
  if (caFile) cluster['certificate-authority'] = caFile;
  const user = {};
  if (certFile) user['client-certificate'] = certFile;
  if (keyFile) user['client-key'] = keyFile;
  if (certData) user['client-certificate-data'] = certData;
  if (keyData) user['client-key-data'] = keyData;
  if (!certFile && !certData) user.token = 'in-cluster';
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  });
}

const run = (cmd, args, { env, timeout = 20_000 } = {}) => runAsync(cmd, args, { env, timeout });

/** Debian's etcd in its own process group, its log in a file; resolves once it serves or has exited. */
async function startEtcd(workDir, name, args) {
  const logFile = path.join(workDir, `${name}.log`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD')));
  const g = startGroup(tool('etcd'), args, { env, cwd: workDir, logFile });
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const end = Date.now() + 30_000;
  while (Date.now() < end && !g.exited && !/ready to serve client requests|serving client requests on/.test(log())) {
    await new Promise((r) => setTimeout(r, 50));
  }
  // A member exits when its certificate or key cannot be loaded: its log says why.
  return { ...g, log, up: !g.exited && /serving client requests on|ready to serve client requests/.test(log()), stop: g.stop };
}

/** The reason etcd gave for refusing a handshake after `from` in its log. */
async function etcdRejection(server, from) {
  for (let i = 0; i < 40; i++) {
    const text = server.log().slice(from);
    const lines = text.split('\n').filter((l) => /rejected connection/.test(l));
    const x509 = lines.find((l) => /x509:|tls: /.test(l) && !/remote error/.test(l));
    if (x509) return x509.replace(/.*rejected connection/, 'etcd rejected the connection');
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

/** The server's reason, when the client's output says the server ended the handshake. */
async function rejection(out, server, from) {
  return /remote error|EOF|connection reset|broken pipe|TransientFailure|DeadlineExceeded/i.test(out) ? etcdRejection(server, from) : undefined;
}

/** One handshake through kubectl: { works, error }. */
async function viaKubectl(workDir, id, kc, server) {
  const file = path.join(workDir, `${id}.kubeconfig`);
  writeFileSync(file, runKubeconfig(kc), { mode: 0o600 });
  const from = server.log().length;
  const r = await run(tool('kubectl'), ['--kubeconfig', file, '--request-timeout=8s', 'get', '--raw', '/version'], {
    // HTTP/1.1: etcd's peer port hands HTTP/2 to its gRPC server, which has no /version (client-go's DISABLE_HTTP2).
    env: { ...process.env, HOME: workDir, KUBECONFIG: '', DISABLE_HTTP2: '1' },
  });
  if (r.status === 0 && /"etcdserver"/.test(r.out)) return { works: true, command: `kubectl --kubeconfig ${file} get --raw /version` };
  return {
    works: false,
    error: clientError(r.out, await rejection(r.out, server, from)),
    command: `kubectl --kubeconfig ${file} get --raw /version`,
  };
}

function clientError(out, serverSide) {
  const line =
    out
      .split('\n')
      .map((l) => l.trim())
      .find((l) => /x509:|tls:|error/i.test(l)) ?? out.trim();
  // A client certificate the server refused: the client reads "remote error: tls: bad certificate", the server's log says why.
  if (/remote error|EOF|connection reset|broken pipe/i.test(line) && serverSide) return `${serverSide} (the client saw: ${line})`;
  return line.slice(0, 600);
}

async function viaEtcdctl(workDir, { endpoint, ca, cert, key }, server, patient = false) {
  const from = server.log().length;
  const timeouts = patient ? ['--dial-timeout=10s', '--command-timeout=15s'] : ['--dial-timeout=3s', '--command-timeout=4s'];
  const args = ['--endpoints', endpoint, '--cacert', ca, '--cert', cert, '--key', key, ...timeouts, 'endpoint', 'health'];
  const r = await run(tool('etcdctl'), args, { env: { ...process.env, ETCDCTL_API: '3' } });
  const command = `ETCDCTL_API=3 etcdctl ${args.join(' ')}`;
  if (r.status === 0 && /is healthy/.test(r.out)) return { works: true, command };
  return { works: false, error: clientError(r.out, await rejection(r.out, server, from)), command };
}

/**
 * etcdctl decides whether the connection works; when gRPC hides Go's reason behind "all SubConns are in
 * TransientFailure", kubectl (the same Go release's crypto/tls) dials with the same files to read it.
 */
async function viaEtcdctlExplained(workDir, id, material, server) {
  let r = await viaEtcdctl(workDir, material, server);
  if (r.works || codesFor(r.error)) return r;
  // A refused handshake fails fast; a loaded machine may only be slow: once more, with time to spare.
  r = await viaEtcdctl(workDir, material, server, true);
  if (r.works || codesFor(r.error)) return r;
  const { host, port } = hostPort(material.endpoint);
  const k = await viaKubectl(workDir, id, { caFile: material.ca, certFile: material.cert, keyFile: material.key, serverName: host, port }, server);
  return k.works ? r : { ...r, error: `${k.error} (Go's reason read by kubectl with the same files; etcdctl: ${r.error.slice(0, 200)})` };
}

/** Decoded kubeconfig material: where kubectl would read the CA, certificate and key, as runKubeconfig wants them. */
function kubeconfigMaterial(root, file) {
  const kc = YAML.parse(readFileSync(file, 'utf8'));
  const ctx = kc.contexts.find((c) => c.name === kc['current-context']) ?? kc.contexts[0];
  const cluster = kc.clusters.find((c) => c.name === ctx.context.cluster).cluster;
  const user = kc.users.find((u) => u.name === ctx.context.user).user;
  const { host, port } = hostPort(cluster.server);
  return {
    serverName: cluster['tls-server-name'] ?? host,
    serverPort: port,
    caData: cluster['certificate-authority-data'],
    caFile: cluster['certificate-authority'] && inTree(root, cluster['certificate-authority']),
    certData: user['client-certificate-data'],
    keyData: user['client-key-data'],
    certFile: user['client-certificate'] && inTree(root, user['client-certificate']),
    keyFile: user['client-key'] && inTree(root, user['client-key']),
  };
}

/**
 * Runs the real programs against the tree: the connections and what happened to each, with the places
 * (file -> lines, 'all' for the whole file) kube-pki's findings about it may sit on.
 */
async function realConnections(t, workDir) {
  const root = t.root;
  const apiText = t.read('kube-apiserver.yaml');
  const etcdText = t.read('etcd.yaml');
  const api = flagsOf(apiText);
  const etcd = flagsOf(etcdText);
  const apiFile = t.file('kube-apiserver.yaml');
  const etcdFile = t.file('etcd.yaml');
  const apiServing = flagLines(apiText, ['tls-cert-file', 'tls-private-key-file']);
  const apiClientCA = flagLines(apiText, ['client-ca-file']);

  const [pA, pA0, pB, pBpeer, m1, m2, m3, peer1, peer2] = await Promise.all(Array.from({ length: 9 }, () => freePort()));
  // No gRPC gateway: it dials its own member with the serving certificate as a client certificate, and the
  // refusals it gets (the apiserver's pair allows only serverAuth) would mix with the connections' in the log.
  const common = (name, dir) => ['--name', name, '--data-dir', path.join(workDir, dir), '--snapshot-count', '10000', '--enable-grpc-gateway=false'];
  const apiArgs = (port, peer, metrics, withClientAuth) => [
    ...common('api', withClientAuth ? 'api-data' : 'api0-data'),
    '--listen-client-urls',
    `https://127.0.0.1:${port}`,
    '--advertise-client-urls',
    `https://127.0.0.1:${port}`,
    '--listen-peer-urls',
    `http://127.0.0.1:${peer}`,
    '--initial-advertise-peer-urls',
    `http://127.0.0.1:${peer}`,
    '--initial-cluster',
    `api=http://127.0.0.1:${peer}`,
    '--listen-metrics-urls',
    `http://127.0.0.1:${metrics}`,
    '--cert-file',
    inTree(root, api['tls-cert-file']),
    '--key-file',
    inTree(root, api['tls-private-key-file']),
    ...(withClientAuth ? ['--trusted-ca-file', inTree(root, api['client-ca-file']), '--client-cert-auth'] : []),
  ];
  const etcdArgs = [
    ...common('cp1', 'etcd-data'),
    '--listen-client-urls',
    `https://127.0.0.1:${pB}`,
    '--advertise-client-urls',
    `https://127.0.0.1:${pB}`,
    '--listen-peer-urls',
    `https://127.0.0.1:${pBpeer}`,
    '--initial-advertise-peer-urls',
    `https://127.0.0.1:${pBpeer}`,
    '--initial-cluster',
    `cp1=https://127.0.0.1:${pBpeer}`,
    '--listen-metrics-urls',
    `http://127.0.0.1:${m3}`,
    '--cert-file',
    inTree(root, etcd['cert-file']),
    '--key-file',
    inTree(root, etcd['key-file']),
    '--trusted-ca-file',
    inTree(root, etcd['trusted-ca-file']),
    '--client-cert-auth',
    '--peer-cert-file',
    inTree(root, etcd['peer-cert-file']),
    '--peer-key-file',
    inTree(root, etcd['peer-key-file']),
    '--peer-trusted-ca-file',
    inTree(root, etcd['peer-trusted-ca-file']),
    '--peer-client-cert-auth',
  ];
  const [A, A0, B] = await Promise.all([
    startEtcd(workDir, 'apiserver', apiArgs(pA, peer1, m1, true)),
    startEtcd(workDir, 'apiserver-no-client-auth', apiArgs(pA0, peer2, m2, false)),
    startEtcd(workDir, 'etcd', etcdArgs),
  ]);
  const down = (server, what) => {
    const reason = server
      .log()
      .split('\n')
      .find((l) => /tls:|x509:|private key|failed to|cannot/i.test(l) && /critical|fatal|error|C \||F \|/i.test(l));
    return { works: false, error: `${what} does not start: ${(reason ?? server.log().slice(-400)).trim()}`, command: `etcd ${what}` };
  };
  const connections = [];
  // A member that cannot load one of its pairs does not start, and refuses every connection: the error that
  // says why sits on the flags of that pair, so every certificate and key flag of the member is a place of each.
  const etcdPairs = { file: etcdFile, lines: flagLines(etcdText, ['cert-file', 'key-file', 'peer-cert-file', 'peer-key-file']) };
  const withMember = (c) => (B.up ? c : { ...c, places: [...c.places, etcdPairs] });
  try {
    const kubectlCalls = async () => {
      for (const conf of KUBECONFIGS) {
        const file = t.file(conf);
        const m = kubeconfigMaterial(root, file);
        const r = A.up ? await viaKubectl(workDir, conf, { ...m, port: pA }, A) : down(A, "the apiserver's serving pair");
        connections.push({
          name: `kubectl --kubeconfig ${conf} -> kube-apiserver`,
          ...r,
          places: [
            { file, lines: 'all' },
            { file: apiFile, lines: new Set([...apiServing, ...apiClientCA]) },
          ],
        });
      }
      // In-cluster clients: the service account's ca.crt is the controller-manager's --root-ca-file (kubeadm: pki/ca.crt).
      const cm = flagsOf(t.read('kube-controller-manager.yaml'));
      for (const host of ['kubernetes.default.svc', 'kubernetes.default', firstServiceIp(api['service-cluster-ip-range'])]) {
        const r = A0.up
          ? await viaKubectl(workDir, `pod-${host}`, { caFile: inTree(root, cm['root-ca-file']), serverName: host, port: pA0 }, A0)
          : down(A0, "the apiserver's serving pair");
        connections.push({
          name: `in-cluster client at ${host} -> kube-apiserver`,
          ...r,
          places: [
            { file: apiFile, lines: new Set([...apiServing, ...flagLines(apiText, ['service-cluster-ip-range'])]) },
            { file: t.file('kube-controller-manager.yaml'), lines: flagLines(t.read('kube-controller-manager.yaml'), ['root-ca-file']) },
          ],
        });
      }
    };
    const etcdCalls = async () => {
      const etcdServing = flagLines(etcdText, ['cert-file', 'key-file', 'trusted-ca-file', 'client-cert-auth']);
      const { host } = hostPort(api['etcd-servers'].split(',')[0]);
      const client = { ca: inTree(root, api['etcd-cafile']), cert: inTree(root, api['etcd-certfile']), key: inTree(root, api['etcd-keyfile']) };
      const dial = async (id, serverName) => {
        if (!B.up) return down(B, "etcd's certificates");
        if (serverName === '127.0.0.1') return viaEtcdctlExplained(workDir, id, { endpoint: `https://127.0.0.1:${pB}`, ...client }, B);
        return viaKubectl(workDir, id, { caFile: client.ca, certFile: client.cert, keyFile: client.key, serverName, port: pB }, B);
      };
      connections.push(
        withMember({
          name: `kube-apiserver -> etcd at --etcd-servers (${host})`,
          ...(await dial('etcd-servers', host)),
          places: [
            { file: apiFile, lines: flagLines(apiText, ['etcd-servers', 'etcd-cafile', 'etcd-certfile', 'etcd-keyfile']) },
            { file: etcdFile, lines: etcdServing },
          ],
        }),
      );
      const adv = hostPort(etcd['advertise-client-urls'].split(',')[0]).host;
      connections.push(
        withMember({
          name: `etcd client (the apiserver's pair) -> etcd at --advertise-client-urls (${adv})`,
          ...(await dial('etcd-advertised', adv)),
          places: [
            { file: apiFile, lines: flagLines(apiText, ['etcd-cafile', 'etcd-certfile', 'etcd-keyfile']) },
            { file: etcdFile, lines: new Set([...etcdServing, ...flagLines(etcdText, ['advertise-client-urls'])]) },
          ],
        }),
      );
      const peerHost = hostPort(etcd['initial-advertise-peer-urls'].split(',')[0]).host;
      const r = B.up
        ? await viaKubectl(
            workDir,
            'etcd-peer',
            {
              caFile: inTree(root, etcd['peer-trusted-ca-file']),
              certFile: inTree(root, etcd['peer-cert-file']),
              keyFile: inTree(root, etcd['peer-key-file']),
              serverName: peerHost,
              port: pBpeer,
            },
            B,
          )
        : down(B, "etcd's certificates");
      connections.push(
        withMember({
          name: `etcd peer -> etcd at --initial-advertise-peer-urls (${peerHost})`,
          ...r,
          places: [
            {
              file: etcdFile,
              lines: flagLines(etcdText, [
                'peer-cert-file',
                'peer-key-file',
                'peer-trusted-ca-file',
                'peer-client-cert-auth',
                'initial-advertise-peer-urls',
                'initial-cluster',
                'listen-peer-urls',
              ]),
            },
          ],
        }),
      );
    };
    await Promise.all([kubectlCalls(), etcdCalls()]);
  } finally {
    await Promise.all([A.stop(), A0.stop(), B.stop()]);
  }
  return connections;
}

function firstServiceIp(cidr) {
  const [a] = cidr.split('/');
  const p = a.split('.').map(Number);
  p[3] += 1;
  return p.join('.');
}

// ------------------------------------------------------------------------------------------------ kube-pki

function kubePkiErrors(root) {
  const E = loadEngine();
  const fs = E.nodeFileSystem();
  const engine = new E.Engine(fs, { searchRoots: [root] });
  for (const f of E.discoverFiles(fs, [root])) engine.updateDocument(f, readFileSync(f, 'utf8'));
  const out = [];
  for (const f of engine.documents()) out.push(...engine.check(f).filter((x) => x.severity === 'error'));
  return out;
}

const onPlace = (f, place) => f.file === place.file && (place.lines === 'all' || place.lines.has(f.range.start.line));

/** Compares: each connection gets `agrees` and, when it does not, `why`. */
export function compare(connections, errors) {
  for (const c of connections) {
    const mine = errors.filter((f) => c.places.some((p) => onPlace(f, p)));
    c.kubePki = mine.map((f) => ({ code: f.code, file: f.file, line: f.range.start.line + 1, message: f.message }));
    if (!c.works) {
      const want = codesFor(c.error ?? '');
      const hit = want && mine.find((f) => want.includes(f.code));
      c.agrees = !!hit;
      if (!hit) {
        c.why = want
          ? `refused (${c.error}) but kube-pki reports ${mine.length ? mine.map((f) => f.code).join(', ') : 'no error'} about it, not ${want.join(' or ')}`
          : `refused with an error the harness cannot map to a code: ${c.error}`;
      }
    } else {
      // An error on a line shared with a refused connection may be about that one.
      const against = mine.filter(
        (f) => !NOT_TLS.has(f.code) && !connections.some((o) => o !== c && !o.works && o.places.some((p) => onPlace(f, p))),
      );
      c.agrees = against.length === 0;
      if (!c.agrees)
        c.why = `works, but kube-pki reports ${against.map((f) => `${f.code} (${path.basename(f.file)}:${f.range.start.line + 1}: ${f.message})`).join('; ')}`;
    }
  }
  return connections;
}

// ------------------------------------------------------------------------------------------------ one seed

/** The change a seed applies: seeds 0..n-1 take each change of the catalogue once, in order; others at random. */
export function changeOf(seed) {
  return seed < CHANGES.length ? CHANGES[seed] : CHANGES[prng(seed ^ 0x5eed).int(CHANGES.length)];
}

export async function runSeed(seed, { workDir }) {
  const dir = path.join(workDir, `seed-${seed}`);
  mkdirSync(dir, { recursive: true });
  const gen = generatorOf(loadEngine());
  const cluster = await buildCluster(path.join(dir, 'node'), { nodeName: 'cp1', advertiseAddress: '192.168.10.11' });
  const rnd = prng(seed);
  const run = path.join(dir, 'run');
  mkdirSync(run, { recursive: true });
  const t = new Tree(cluster, gen, rnd, run);
  const change = changeOf(seed);
  const description = await change.apply(t);
  const errors = kubePkiErrors(cluster.dir);
  const connections = compare(await realConnections(t, run), errors);
  return {
    seed,
    change: change.name,
    rule: change.rule,
    description,
    connections,
    agrees: connections.filter((c) => c.agrees).length,
    total: connections.length,
    dir,
  };
}

export const replayCommand = (seed) => `TRUTH_SEED=${seed} npm run fuzz:truth`;
