#!/usr/bin/env node
// A committed shim, so npm links the command even before `npm run build` has written dist/.
require('../dist/main.js');
