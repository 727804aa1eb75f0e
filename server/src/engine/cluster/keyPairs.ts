// Which certificate and key references are used together: a component's certificate flag and the key flag
// beside it (the catalog's `key`), the kubelet's tlsCertFile and tlsPrivateKeyFile, a kubeconfig user's
// certificate and key, a Secret's tls.crt and tls.key (or NAME.crt and NAME.key), a kubeadm config's external etcd
// certFile and keyFile.
import type { Reference, Unit } from '../parse';
import type { Component } from '../parse/model';
import { memoByObject } from '../memo';
import { components, flagsOf } from './catalog';
import { flagRef } from './relations';

/** Certificate (or signing CA) flag -> key flag, per component, from the catalog. */
const pairs = Object.fromEntries(
  Object.keys(components).map((c) => [c, flagsOf(c as Component).flatMap(([name, f]) => (f.key ? [[name, f.key] as [string, string]] : []))]),
) as Record<Component, [string, string][]>;

/** Certificate and key references used together (computed once per unit: do not mutate). */
export const certKeyPairs: (unit: Unit) => { cert: Reference; key: Reference }[] = memoByObject((unit: Unit) => {
  const out: { cert: Reference; key: Reference }[] = [];
  if (unit.kind === 'component') {
    for (const [c, k] of pairs[unit.component]) {
      const cert = flagRef(unit, c);
      const key = flagRef(unit, k);
      if (cert && key) out.push({ cert, key });
    }
  } else if (unit.kind === 'kubelet-config' || unit.kind === 'kubelet-flags') {
    if (unit.tlsCert && unit.tlsKey) out.push({ cert: unit.tlsCert, key: unit.tlsKey });
  } else if (unit.kind === 'kubeadm-config') {
    // External etcd's client pair, as kubeadm passes it to the apiserver (--etcd-certfile, --etcd-keyfile).
    const e = unit.etcdExternal;
    if (e?.cert && e.key) out.push({ cert: e.cert, key: e.key });
  } else if (unit.kind === 'kubeconfig') {
    for (const u of unit.users) if (u.cert && u.key) out.push({ cert: u.cert, key: u.key });
  } else if (unit.kind === 'secret') {
    // tls.crt with tls.key; otherwise NAME.key with NAME.crt / NAME.pem / NAME.cer (ca.key beside ca.crt).
    for (const k of unit.entries) {
      if (k.ref.expect !== 'key') continue;
      const base = k.key.replace(/\.(key|pem)$/i, '');
      if (base === k.key) continue;
      const c = unit.entries.find(
        (e) => e !== k && (e.ref.expect === 'cert' || e.ref.expect === 'ca') && ['.crt', '.pem', '.cer'].some((x) => e.key === base + x),
      );
      if (c) out.push({ cert: c.ref, key: k.ref });
    }
  }
  return out;
});

export const pairedKeys: (unit: Unit) => Reference[] = memoByObject((unit: Unit) => certKeyPairs(unit).map((p) => p.key));
