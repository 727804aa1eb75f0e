// Probe Live Endpoints' extension-host test, by the command it runs: probe.test.js registers it,
// extension.test.js checks that every contributed command has one.
'use strict';

const PROBE_TESTS = {
  'kubePki.probeLiveEndpoints':
    'Kube PKI: Probe Live Endpoints lists the addresses, dials them, and shows what they serve as diagnostics and in the Live endpoints group',
};
exports.PROBE_TESTS = PROBE_TESTS;
