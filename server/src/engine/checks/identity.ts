// cn-mismatch, org-mismatch: the apiserver takes the user from the CN and the groups from the O
// values, so a role's certificate must carry exactly the names RBAC and the node authorizer know
// (kubeadm's certlist.go / kubeconfig.go). Near-misses of the identities RBAC acts on are reported anywhere;
// the names Kubernetes and kubeadm define (knownNames.ts) never are.
import { flag, type ComponentUnit, type KubeconfigUnit, type Reference } from '../parse';
import type { Certificate } from '../pki/certificate';
import type { CheckContext } from './context';
import {
  ADMIN_GROUPS_DIFFERENCE,
  adminGroupsInOrder,
  adminLayout,
  certificate,
  type CertificateName,
  certificates,
  CLUSTER_ADMINS_GROUP,
  flagRef,
  kubeconfigRole,
  type KubeconfigRole,
  nearMiss,
  PRIVILEGED_GROUP,
} from '../cluster';

type Role = KubeconfigRole;

interface Expectation {
  cn?: string;
  cnPrefix?: string;
  groupsAnyOf?: string[];
  consequence: string;
}

/** What each kubeconfig role's certificate must carry: the catalog's identities (cluster/catalog.ts). */
const expectations = Object.fromEntries(
  (Object.keys(certificates) as CertificateName[]).flatMap((role) => {
    const c = certificate(role);
    const judged = c.kubeconfig?.judged;
    if (!judged) return [];
    const e: Expectation = { consequence: judged.denied };
    if (judged.cn === 'exact') e.cn = c.commonName;
    if (judged.cn === 'node') e.cnPrefix = c.nodePrefix;
    if (c.groups) e.groupsAnyOf = c.groups;
    return [[role, e]];
  }),
) as Record<Role, Expectation>;

function cnOf(cert: Certificate): string {
  return cert.subject.commonName ?? '';
}

function groups(cert: Certificate): string {
  return cert.subject.organizations.length ? cert.subject.organizations.map((o) => `"${o}"`).join(', ') : 'none';
}

interface Subject {
  ref: Reference;
  cert: Certificate;
  role?: Role;
  roleSource?: string;
  /** The kubeconfig the certificate is a user of. */
  kc?: KubeconfigUnit;
}

function kubeconfigSubjects(ctx: CheckContext, kc: KubeconfigUnit): Subject[] {
  const out: Subject[] = [];
  for (const u of kc.users) {
    const cert = ctx.leaf(u.cert);
    if (!cert || !u.cert) continue;
    const r = kubeconfigRole(ctx, kc, u);
    out.push({ ref: u.cert, cert, role: r?.role, roleSource: r?.source, kc });
    // The kubelet's CN must name this node: the user name says which when kubeadm wrote it.
    if (r?.role === 'kubelet' && u.name.startsWith('system:node:') && cnOf(cert).startsWith('system:node:') && cnOf(cert) !== u.name) {
      ctx.report(
        'cn-mismatch',
        u.cert.span,
        `CN is "${cnOf(cert)}" but this kubeconfig's user is "${u.name}": the kubelet authenticates as the CN, so the Node authorizer treats it as another node.`,
      );
    }
  }
  return out;
}

function checkRole(ctx: CheckContext, s: Subject): { cn: boolean; org: boolean } {
  const done = { cn: false, org: false };
  if (!s.role) return done;
  const exp = expectations[s.role];
  const cn = cnOf(s.cert);
  const because = s.roleSource ? ` (${s.roleSource})` : '';
  if (exp.cn !== undefined && cn !== exp.cn) {
    const hint = nearMiss(cn, 'user') === exp.cn ? ' (a typo?)' : '';
    ctx.report(
      'cn-mismatch',
      s.ref.span,
      `CN is "${cn}"${hint}, but the ${s.role} must authenticate as "${exp.cn}"${because}: the apiserver sees user "${cn}", so ${exp.consequence}.`,
    );
    done.cn = true;
  }
  if (exp.cnPrefix !== undefined && !cn.startsWith(exp.cnPrefix)) {
    const guess = nearMiss(cn, 'user');
    const hint = guess ? ` (did you mean "${guess}"?)` : '';
    ctx.report('cn-mismatch', s.ref.span, `CN is "${cn}"${hint}, but a kubelet must be "${exp.cnPrefix}<nodeName>"${because}: ${exp.consequence}.`);
    done.cn = true;
  }
  if (exp.groupsAnyOf && !exp.groupsAnyOf.some((g) => s.cert.subject.organizations.includes(g))) {
    const guesses = s.cert.subject.organizations.map((o) => nearMiss(o, 'group')).filter((g): g is string => !!g);
    const hint = guesses.length ? ` (did you mean "${guesses[0]}"?)` : '';
    let wanted = exp.groupsAnyOf;
    let admin = '';
    if (s.role === 'admin' && s.kc) {
      const layout = adminLayout(ctx, s.kc);
      wanted = adminGroupsInOrder(layout, guesses[0]);
      admin =
        layout.since129 === true
          ? ` In this kubeadm 1.29+ layout (${layout.evidence}) admin.conf's group is "${CLUSTER_ADMINS_GROUP}" and "${PRIVILEGED_GROUP}" is the break-glass super-admin.conf's: ${ADMIN_GROUPS_DIFFERENCE}.`
          : layout.since129 === false
            ? ` Before kubeadm 1.29 (${layout.evidence}) admin.conf's group is "${PRIVILEGED_GROUP}": no binding grants "${CLUSTER_ADMINS_GROUP}" anything yet.`
            : ` kubeadm 1.29+ issues admin.conf in "${CLUSTER_ADMINS_GROUP}" and earlier releases in "${PRIVILEGED_GROUP}": ${ADMIN_GROUPS_DIFFERENCE}.`;
    }
    ctx.report(
      'org-mismatch',
      s.ref.span,
      `O (groups) is ${groups(s.cert)}${hint}, but the ${s.role} needs ${wanted.map((g) => `"${g}"`).join(' or ')}${because}: ${exp.consequence}.${admin}`,
    );
    done.org = true;
  }
  return done;
}

function checkNearMisses(ctx: CheckContext, s: Subject, done: { cn: boolean; org: boolean }): void {
  const cn = cnOf(s.cert);
  const cnGuess = nearMiss(cn, 'user');
  if (!done.cn && cnGuess) {
    ctx.report(
      'cn-mismatch',
      s.ref.span,
      `CN is "${cn}": did you mean "${cnGuess}"? The apiserver takes the CN as the user name, character for character.`,
    );
  }
  if (!done.org) {
    for (const o of s.cert.subject.organizations) {
      const g = nearMiss(o, 'group');
      if (g) {
        ctx.report(
          'org-mismatch',
          s.ref.span,
          `O "${o}": did you mean "${g}"? The apiserver takes each O as a group name, character for character, so this group grants nothing.`,
        );
        break;
      }
    }
  }
  if (!done.cn && cn === '') {
    ctx.report(
      'cn-mismatch',
      s.ref.span,
      'The client certificate has no CN: the apiserver rejects it ("unable to authenticate the request": the user name is empty).',
    );
  }
}

export function identity(ctx: CheckContext): void {
  const subjects: Subject[] = [];
  for (const kc of ctx.unitsHere('kubeconfig')) subjects.push(...kubeconfigSubjects(ctx, kc));
  for (const unit of ctx.unitsHere('component')) {
    if (unit.component !== 'kube-apiserver') continue;
    const kubeletClient = flagRef(unit, 'kubelet-client-certificate');
    const kc = ctx.leaf(kubeletClient);
    if (kc && kubeletClient) subjects.push({ ref: kubeletClient, cert: kc });
    frontProxy(ctx, unit);
  }
  for (const s of subjects) checkNearMisses(ctx, s, checkRole(ctx, s));
}

/** The aggregation layer trusts the front proxy only when its CN is an allowed name. */
function frontProxy(ctx: CheckContext, unit: ComponentUnit): void {
  const ref = flagRef(unit, 'proxy-client-cert-file');
  const cert = ctx.leaf(ref);
  const allowedFlag = flag(unit, 'requestheader-allowed-names');
  if (!ref || !cert || !allowedFlag) return;
  const allowed = allowedFlag.value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (allowed.length === 0 || allowed.includes(cnOf(cert))) return;
  ctx.report(
    'cn-mismatch',
    ref.span,
    `CN is "${cnOf(cert)}", not one of --requestheader-allowed-names (${allowed.join(', ')}): extension API servers (metrics-server, ...) will reject the apiserver's proxied requests.`,
    [ctx.related(unit.file, allowedFlag.span, '--requestheader-allowed-names')],
  );
}
