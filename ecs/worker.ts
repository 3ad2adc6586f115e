// The ECS worker entry point, started by run-chunk.sh through Cloud Assistant.
import { runCli, versionCommand } from './cli';

const commands = [versionCommand];

runCli(process.argv.slice(2), commands, {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
}).then((code) => {
  process.exitCode = code;
});
