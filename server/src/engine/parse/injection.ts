// The annotations that make a controller write an object's caBundle, in one table: the parsers read them on
// webhooks, APIServices and CRDs (objects.ts), in kustomizations that add them (kustomize.ts) and in the text test
// that decides whether a file is worth parsing (index.ts); the checks name who writes (checks/caBundleWriters.ts).

export interface InjectAnnotation {
  key: string;
  /** Whether a value turns injection on. */
  enabled: (value: string) => boolean;
  /** Who writes the caBundle, for messages. */
  injector: string;
}

const CAINJECTOR = "cert-manager's cainjector";
const SERVICE_CA = "OpenShift's service-ca operator";

export const injectAnnotations: readonly InjectAnnotation[] = [
  // cert-manager pkg/controller/cainjector/sources.go: a "namespace/name" value; inject-apiserver-ca == "true".
  { key: 'cert-manager.io/inject-ca-from', enabled: (v) => v.trim() !== '' && v.trim() !== 'false', injector: CAINJECTOR },
  { key: 'cert-manager.io/inject-ca-from-secret', enabled: (v) => v.trim() !== '' && v.trim() !== 'false', injector: CAINJECTOR },
  { key: 'cert-manager.io/inject-apiserver-ca', enabled: (v) => v.trim() === 'true', injector: CAINJECTOR },
  // openshift/service-ca-operator: the cabundle injector acts on "true".
  { key: 'service.beta.openshift.io/inject-cabundle', enabled: (v) => v.trim() === 'true', injector: SERVICE_CA },
];

/** One of the keys, also as a JSON pointer writes it (`/` as `~1`: a JSON 6902 patch's path). */
export const injectKeyPattern = new RegExp(injectAnnotations.map((a) => a.key.replace(/[.]/g, '\\.').replace('/', '(?:/|~1)')).join('|'));

/** Who writes the caBundle for an annotation of the table. */
export function injectorOf(annotation: string): string {
  return injectAnnotations.find((a) => a.key === annotation)?.injector ?? CAINJECTOR;
}
