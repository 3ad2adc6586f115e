// Runs the OSS Vectors emulator in its own process, as the cloud would be: prints one JSON line with
// its endpoint and credential, then serves until stdin closes.
import { startOssVectorsEmulator } from '../../local/oss-vectors';

const emulator = await startOssVectorsEmulator();
const credential = emulator.credentials[0];
process.stdout.write(`${JSON.stringify({ endpoint: emulator.endpoint, region: emulator.region, accountId: emulator.accountId, credential })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void emulator.close().then(() => process.exit(0));
});
