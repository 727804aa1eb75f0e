// The generation commands' extension-host tests, by the command they run: generate.test.js registers
// them, extension.test.js checks that every contributed command has one. No test is registered here.
'use strict';

/** The tests below, by the command they run (extension.test.js checks every contributed command has one). */
const GENERATION_TESTS = {
  'kubePki.generate.apply': 'a quick fix on cert-expired re-issues the inline certificate as an undoable edit, and the diagnostic goes away',
  'kubePki.generateMissing': 'Kube PKI: Generate Missing Certificates writes deleted files back and clears file-not-found',
  'kubePki.generateCA': 'Kube PKI: Generate CA… writes a CA (key 0600) and never over an existing one',
  'kubePki.generateClientCertificate': 'Kube PKI: Generate Client Certificate… signs a user certificate with the chosen CA',
  'kubePki.generateKubeconfig': 'Kube PKI: Generate Kubeconfig… writes a kubeconfig kube-pki finds nothing wrong with',
  'kubePki.generateControlPlane': 'Kube PKI: Generate Control-Plane Certificates… writes the kubeadm set for a new node',
  'kubePki.renewCertificate': 'Kube PKI: Renew Certificate renews the certificate of the active editor, keeps its key and a backup',
  'kubePki.renewExpiring':
    'Kube PKI: Renew Expiring Certificates… renews what expires within the warning window or has expired, keeps keys, and nothing else',
  'kubePki.fixAll': 'Kube PKI: Fix All Problems clears every planted fixable code of a second node tree with one plan',
  'kubePki.rotateCA':
    'Kube PKI: Rotate CA… writes the etcd CA rotation stage by stage after its checks, and refuses a stage that would break a connection',
};
exports.GENERATION_TESTS = GENERATION_TESTS;
