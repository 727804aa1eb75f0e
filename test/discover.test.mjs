// Which folders a walk of the workspace enters: a project's rendered manifests often live under dist/ or out/
// (kubebuilder's `make build-installer` writes dist/install.yaml), so only version control and installed
// packages are skipped by name.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { E, tempDir, write, checkTree, summary, cleanup } from './helpers/engine.mjs';

const dirs = [];
after(() => dirs.forEach(cleanup));

/** A webhook served through cert-manager (inject-ca-from), its Service, and a Certificate without the .svc name. */
const rendered = [
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: project-webhook-service',
  '  namespace: project-system',
  'spec:',
  '  ports:',
  '  - port: 443',
  '    targetPort: 9443',
  '  selector:',
  '    control-plane: controller-manager',
  '---',
  'apiVersion: cert-manager.io/v1',
  'kind: Certificate',
  'metadata:',
  '  name: project-serving-cert',
  '  namespace: project-system',
  'spec:',
  '  dnsNames:',
  '  - project-webhook-service.project-system.svc.cluster.local',
  '  issuerRef:',
  '    kind: Issuer',
  '    name: project-selfsigned-issuer',
  '  secretName: webhook-server-cert',
  '---',
  'apiVersion: cert-manager.io/v1',
  'kind: Issuer',
  'metadata:',
  '  name: project-selfsigned-issuer',
  '  namespace: project-system',
  'spec:',
  '  selfSigned: {}',
  '---',
  'apiVersion: admissionregistration.k8s.io/v1',
  'kind: ValidatingWebhookConfiguration',
  'metadata:',
  '  annotations:',
  '    cert-manager.io/inject-ca-from: project-system/project-serving-cert',
  '  name: project-validating-webhook-configuration',
  'webhooks:',
  '- admissionReviewVersions: [v1]',
  '  clientConfig:',
  '    service:',
  '      name: project-webhook-service',
  '      namespace: project-system',
  '      path: /validate',
  '  name: vpod.kb.io',
  '  sideEffects: None',
  '',
].join('\n');

test('rendered manifests under dist/ and out/ are read and judged; .git and node_modules are not entered', () => {
  for (const folder of ['dist', 'out', 'build/out']) {
    const dir = tempDir();
    dirs.push(dir);
    write(dir, `${folder}/install.yaml`, rendered);
    for (const skipped of ['.git', 'node_modules/some-chart']) write(dir, `${skipped}/install.yaml`, rendered);
    const found = E.discoverFiles(E.nodeFileSystem(), [dir]).map((f) => f.slice(dir.length + 1));
    assert.deepEqual(found, [`${folder}/install.yaml`]);
    const { findings } = checkTree(dir);
    assert.deepEqual(summary(findings, dir), [`${folder}/install.yaml:19 san-missing`], folder);
  }
});
