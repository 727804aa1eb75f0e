// The extension-host test entry (extensionTestsPath): VS Code loads this file in the extension host, with
// the real `vscode` API, and calls run(). A rejection ends the run with exit code 1.
// Driven by test/vscode/run-code-server.mjs (offline, code-server) or test/vscode/run-electron.mjs
// (@vscode/test-electron, downloads VS Code).
'use strict';

const { runTests } = require('./harness');

exports.run = async function run() {
  require('./extension.test');
  require('./features.test'); // hover, CodeLens, links, outline (after extension.test: it relies on its edits)
  require('./explorer.test'); // the Kube PKI view and the expiry timeline (before generate.test: controller-manager.conf is still expired)
  require('./policy.test'); // ignore quick fixes and .kube-pki.yaml problems (files of its own, removed after)
  require('./probe.test'); // Probe Live Endpoints (a kubeconfig and servers of its own, removed after)
  require('./generate.test'); // quick fixes and the Generate/Renew commands (last but one: it writes files)
  require('./walkthrough.test'); // the example cluster (a folder of its own) and the walkthrough
  require('./restart.test'); // kills the language server twice (last: the others talk to the first one)
  await runTests();
};
