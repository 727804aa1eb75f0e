// The PKI explorer's and the expiry timeline's extension-host tests, by the command they run:
// explorer.test.js registers them, extension.test.js checks that every contributed command has one.
'use strict';

const EXPLORER_TESTS = {
  'kubePki.pkiExplorer.refresh':
    'the Kube PKI view lists each CA at its root and each certificate under the CA that signed it, with its role and expiry',
  'kubePki.pkiExplorer.decode': 'Decode in the Kube PKI view decodes the certificate at the line that references it',
  'kubePki.pkiExplorer.renew': 'Renew in the Kube PKI view re-issues that certificate from its CA, keeps its key, and the view shows the new one',
  'kubePki.showExpiryTimeline': 'Kube PKI: Show Expiry Timeline draws one bar per certificate, sorted by expiry, with today and the warning window',
  'kubePki.exportExpiryTimeline': 'Kube PKI: Export Expiry Timeline… writes an SVG with the theme colours inlined and a PNG',
};
exports.EXPLORER_TESTS = EXPLORER_TESTS;
