// A generation run slowed down on purpose, for the test that kills it midway:
//   node slow-generate.mjs DIR [missing|renew]
// plans what the node tree under DIR lacks (or renews every certificate), generates it and writes it
// through the engine's writer, with a FileWriter that announces each step on stdout
// ("step <op> <path>") and pauses 150 ms after it; a temporary file is written in two halves with a
// pause between, so a kill can land inside a file's write.
import { readFileSync, openSync, writeSync, fsyncSync, closeSync, constants } from 'node:fs';
import { loadEngine } from './cluster.mjs';

const [dir, mode = 'missing'] = process.argv.slice(2);
const E = loadEngine();
const G = E.generate;
const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const say = (op, p) => {
  process.stdout.write(`step ${op} ${p}\n`);
  pause(150);
};

const base = G.nodeWriter();
const writer = {
  ...base,
  writeNew(file, data, fileMode) {
    const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, fileMode);
    try {
      const half = Math.floor(data.length / 2);
      writeSync(fd, data, 0, half);
      say('half', file);
      writeSync(fd, data, half, data.length - half);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    say('temp', file);
  },
  link(from, to) {
    base.link(from, to);
    say('link', to);
  },
  rename(from, to) {
    base.rename(from, to);
    say('rename', to);
  },
};

const fs = E.nodeFileSystem();
const engine = new E.Engine(fs, { searchRoots: [dir] });
for (const f of E.discoverFiles(fs, [dir])) engine.updateDocument(f, readFileSync(f, 'utf8'));
const plan = G.planGeneration(engine, fs, { keyType: 'ecdsa-p256', renew: mode === 'renew' });
const batch = await G.executePlan(plan, fs);
const files = [...batch.files, ...G.editsAsFiles(batch.edits, fs)];
process.stdout.write(`targets ${JSON.stringify(files.map((f) => f.path))}\n`);
const report = G.writeBatch(files, { fs, writer, allowReplace: mode === 'renew' });
process.stdout.write(`done ${report.ok}\n`);
