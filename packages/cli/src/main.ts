import { run } from './cli';
import { processIo } from './io';

// The bin entry: run, then exit with the code once stdout and stderr are flushed.
void run(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
