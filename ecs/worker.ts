// The ECS worker entry point, started by run-chunk.sh through Cloud Assistant.
import { runCli, versionCommand } from './cli';
import { chunkCommand, createIndexCommand, queryCommand, statsCommand } from './commands';

const stderr = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const commands = [chunkCommand(stderr), createIndexCommand(stderr), queryCommand(stderr), statsCommand(stderr), versionCommand];

runCli(process.argv.slice(2), commands, {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr,
}).then((code) => {
  process.exitCode = code;
});
