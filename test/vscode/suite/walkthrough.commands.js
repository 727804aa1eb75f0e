// The example cluster's and the walkthrough's extension-host tests, by the command they run:
// walkthrough.test.js registers them, extension.test.js checks that every contributed command has one.
'use strict';

const WALKTHROUGH_TESTS = {
  'kubePki.openExampleCluster':
    'Kube PKI: Open Example Cluster makes the example node tree in a new folder, never in one with files, and names each planted mistake',
  'kubePki.example.showHover': "the walkthrough's hover step opens admin.conf on its org-mismatch line, the finding there",
  'kubePki.example.showQuickFix': "the walkthrough's quick fix step opens controller-manager.conf on the expired certificate, its re-issue offered",
  'kubePki.showWalkthrough': 'the walkthrough is contributed: each step has a button whose command exists, a completion event and its page',
};
exports.WALKTHROUGH_TESTS = WALKTHROUGH_TESTS;
