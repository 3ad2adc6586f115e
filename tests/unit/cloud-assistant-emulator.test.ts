import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { aggregateStatus, checkPlaceholders, renderScript, startCloudAssistant } from '../../local/cloud-assistant';
import { parseRunCommand } from '../../local/cloud-assistant/requests';

function query(overrides: Record<string, string> = {}): URLSearchParams {
  return new URLSearchParams({ RegionId: 'cn-hangzhou', Type: 'RunShellScript', CommandContent: 'echo hi', 'InstanceId.1': 'i-local0001', ...overrides });
}

describe('parseRunCommand', () => {
  it('refuses content and parameters over 24 KB after Base64 with CmdContent.ExceedLimit', () => {
    // Node's HTTP server refuses request lines over 16 KB before a route sees them, so this limit is checked here.
    const content = Buffer.from('x'.repeat(18_000)).toString('base64');
    const parameters = JSON.stringify({ a: 'y'.repeat(500) });
    expect(() => parseRunCommand(query({ CommandContent: content, ContentEncoding: 'Base64' }))).not.toThrow();
    expect(() => parseRunCommand(query({ CommandContent: `${content}{{a}}`, EnableParameter: 'true', Parameters: parameters }))).toThrow(
      expect.objectContaining({ code: 'CmdContent.ExceedLimit', status: 403 }),
    );
  });

  it('decodes Base64 content case-insensitively and keeps plain text otherwise', () => {
    expect(parseRunCommand(query({ CommandContent: Buffer.from('echo 1').toString('base64'), ContentEncoding: 'base64' })).content).toBe('echo 1');
    expect(parseRunCommand(query({ ContentEncoding: 'Nonsense' })).content).toBe('echo hi');
  });

  it.each(([
    [{ Type: '' }, 'MissingParam.Type'],
    [{ 'InstanceId.1': '' }, 'MissingParam.InstanceId'],
    [{ Timeout: '1.5' }, 'InvalidParameter.Timeout'],
    [{ Timeout: '9' }, 'InvalidParameter.Timeout'],
    [{ Type: 'RunPythonScript' }, 'InvalidParameter.Type'],
    [{ WorkingDir: `/${'d'.repeat(200)}` }, 'InvalidParameter.WorkingDir'],
    [{ Username: 'u'.repeat(256) }, 'Username.ExceedLimit'],
    [{ Launcher: `python3 -u ${'x'.repeat(1024)}` }, 'InvalidLauncher.LengthLimitExceeded'],
    [{ ContainerId: 'not-a-container' }, 'InvalidContainerId.Malformed'],
    [{ ContainerId: `docker://${'A'.repeat(64)}` }, 'InvalidContainerId.Malformed'],
    [{ 'Tag.1.Key': 'acs:owner', 'Tag.1.Value': 'x' }, 'InvalidTagKey.Malformed'],
    [{ 'Tag.1.Key': 'owner', 'Tag.1.Value': 'v'.repeat(129) }, 'InvalidTagValue.Malformed'],
    [Object.fromEntries(Array.from({ length: 21 }, (_, n) => [[`Tag.${n + 1}.Key`, `k${n}`], [`Tag.${n + 1}.Value`, 'v']]).flat()), 'NumberExceed.Tags'],
    [{ RepeatMode: 'Period' }, 'OperationDenied.RepeatMode'],
    [{ EnableParameter: 'true', Parameters: '{"A":"1","a":"2"}', CommandContent: '{{a}}' }, 'ParameterKey.Duplicate'],
    [{ EnableParameter: 'true', Parameters: JSON.stringify({ ['k'.repeat(65)]: 'v' }) }, 'ParameterKey.ExceedLimit'],
  ] as [Record<string, string>, string][]).map(([overrides, code]) => ({ overrides, code, fields: Object.keys(overrides).slice(0, 2).join(', ') })))('refuses $fields with $code', ({ overrides, code }) => {
    expect(() => parseRunCommand(query(overrides))).toThrow(expect.objectContaining({ code }));
  });

  it('takes the documented forms of the run-as, container and tag fields', () => {
    const spec = parseRunCommand(query({ Timeout: '10', Username: 'root', Launcher: 'bash {{ACS::ScriptFileName}}', ContainerId: `containerd://${'a'.repeat(64)}`, 'Tag.1.Key': 'team', 'Tag.1.Value': 'search' }));
    expect(spec.timeoutSeconds).toBe(10);
  });
});

describe('renderScript', () => {
  const builtIns = { 'acs::instanceid': 'i-local0001', 'acs::regionid': 'cn-hangzhou' };

  it('substitutes names regardless of case and spaces inside the braces', () => {
    expect(renderScript('{{ Name }}/{{name}}/{{ACS::InstanceId}}/{{ acs::regionid }}', { NAME: 'v' }, builtIns)).toBe('v/v/i-local0001/cn-hangzhou');
  });

  it('inserts values as plain text and leaves unknown built-ins as written', () => {
    expect(renderScript('rm {{p}}; {{ACS::Unknown}}', { p: '$(reboot) `id`' }, builtIns)).toBe('rm $(reboot) `id`; {{ACS::Unknown}}');
  });

  it('needs a value for each placeholder and a placeholder for each value', () => {
    expect(() => checkPlaceholders('{{a}} {{ACS::InstanceId}}', { A: '1' })).not.toThrow();
    expect(() => checkPlaceholders('{{a}} {{b}}', { a: '1' })).toThrow(expect.objectContaining({ code: 'Parameter.MissingValue' }));
    expect(() => checkPlaceholders('{{a}}', { a: '1', c: '2' })).toThrow(expect.objectContaining({ code: 'Parameter.NotMatched' }));
  });
});

describe('aggregateStatus', () => {
  it.each([
    [['Success', 'Running'], 'Running'],
    [['Pending', 'Success'], 'Pending'],
    [['Success', 'Stopped'], 'Success'],
    [['Stopped', 'Terminated'], 'Stopped'],
    [['Failed', 'Stopped', 'Timeout'], 'Failed'],
    [['Success', 'Failed'], 'PartialFailed'],
  ])('aggregates %j as %s', (statuses, expected) => {
    expect(aggregateStatus(statuses)).toBe(expected);
  });
});

describe('the runner\'s fault knobs', () => {
  it('reports runs on an instance whose agent went offline as Aborted (ClientNotRunning), and runs them again once it is back', async () => {
    // Prepare
    const emulator = await startCloudAssistant();
    try {
      emulator.runner.setInstanceState('i-local0001', 'agent-offline');
      // Act
      const offline = await emulator.waitForInvocation(emulator.runner.start(parseRunCommand(query())).invokeId);
      emulator.runner.setInstanceState('i-local0001', 'online');
      const online = await emulator.waitForInvocation(emulator.runner.start(parseRunCommand(query())).invokeId);
      // Assert
      expect(offline.runs[0]).toMatchObject({ status: 'Aborted', errorCode: 'ClientNotRunning' });
      expect(online.runs[0]).toMatchObject({ status: 'Success', exitCode: 0 });
      expect(() => emulator.runner.setInstanceState('i-nope', 'online')).toThrow(expect.objectContaining({ code: 'InvalidInstance.NotFound' }));
    } finally {
      await emulator.close();
    }
  });

  it('lists the scripts running now and kills one, which ends as its exit code says', async () => {
    // Prepare: `exec` as run-chunk.sh does, so the script's process is the long-running program
    const emulator = await startCloudAssistant();
    try {
      const record = emulator.runner.start(parseRunCommand(query({ CommandContent: 'exec sleep 30' })));
      for (let i = 0; i < 100 && emulator.runner.runningScripts().length === 0; i += 1) await sleep(20);
      const [running] = emulator.runner.runningScripts();
      // Act
      const killed = emulator.runner.killScript(running?.pgid ?? -1);
      const done = await emulator.waitForInvocation(record.invokeId);
      // Assert
      expect(running).toMatchObject({ invokeId: record.invokeId, instanceId: 'i-local0001' });
      expect(killed).toBe(true);
      expect(done.runs[0]).toMatchObject({ status: 'Failed', exitCode: 137 });
      expect(emulator.runner.runningScripts()).toEqual([]);
      expect(emulator.runner.killScript(running?.pgid ?? -1)).toBe(false);
    } finally {
      await emulator.close();
    }
  });
});
