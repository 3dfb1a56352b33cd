#!/usr/bin/env bash
# Proves the published package works for a user: `npm pack`, install the tarball into a fresh
# CDK app in a temp folder (no esbuild, no Docker there), and synthesize `new StreamingPipeline(stack, 'Pipeline')`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "packed $tarball ($(du -h "$work/$tarball" | cut -f1))"
# Construct Hub and jsii-pacmak read the jsii assembly from the tarball.
# (The listing is read whole first: with pipefail, grep -q closing the pipe early would fail tar.)
listing="$(tar -tzf "$work/$tarball")"
if ! grep -qx 'package/.jsii' <<<"$listing"; then echo "the tarball has no .jsii assembly" >&2; exit 1; fi

mkdir -p "$work/app" && cd "$work/app"
npm init -y >/dev/null
cdk_lib="$(node -p "require('$root/node_modules/aws-cdk-lib/package.json').version")"
constructs="$(node -p "require('$root/node_modules/constructs/package.json').version")"
npm install --no-audit --no-fund --prefer-offline "$work/$tarball" "aws-cdk-lib@$cdk_lib" "constructs@$constructs" >/dev/null
if [ -e node_modules/esbuild ]; then echo "esbuild was installed into the user's app" >&2; exit 1; fi

cat > app.js <<'JS'
const { App, Stack } = require('aws-cdk-lib');
const { StreamingPipeline } = require('cdk-kinesis-pipeline');
const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'UserStack');
new StreamingPipeline(stack, 'Pipeline');
const started = Date.now();
const assembly = app.synth();
const template = assembly.getStackByName('UserStack').template;
const types = Object.values(template.Resources).map((r) => r.Type);
const count = (t) => types.filter((x) => x === t).length;
for (const t of ['AWS::Kinesis::Stream', 'AWS::KinesisFirehose::DeliveryStream', 'AWS::Glue::Table', 'AWS::CloudWatch::Alarm']) {
  if (count(t) < 1) throw new Error(`missing ${t}`);
}
console.log(`synthesized ${types.length} resources in ${Date.now() - started} ms without esbuild or Docker`);
JS
node app.js
