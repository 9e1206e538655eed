import { SandboxClient } from '@sps/client';
import { Command, CommanderError, Option } from 'commander';
import { CliError, describeFailure } from './cli-errors';
import { createEnvironment, listEnvironments, removeEnvironment } from './env.command';
import { EXIT } from './exit-codes';
import { addQuotaOptions, createKey, KeyFlags, listKeys, revokeKey } from './keys.command';
import { collect, parseDuration, parseMemory } from './option-parsers';
import { RunFlags, runScript } from './run.command';
import { runSessionRepl, SessionFlags } from './session.command';

const DEFAULT_URL = 'http://localhost:3000';

const EXAMPLES = `
Examples:
  export SPS_URL=http://localhost:3000 SPS_API_KEY=$(cat .data/admin-key)
  sps run hello.py
  sps run analyse.py --env datascience --file data.csv --timeout 30s --memory 512m
  echo "some input" | sps run wc.py --stdin - --arg -v
  sps run job.py --json > result.json
  sps session --env datascience --memory 1g
  printf 'x = 41\nx + 1\n' | sps session
  sps env create mystack.json --follow
  sps env list
  sps env rm mystack
  sps keys create --name alice --rate-per-minute 60 --max-sessions 2 --max-memory-mb 512

Exit codes of "sps session": 0 once the session is closed, 1 when it ended under it
(closed, expired, dead), and the codes below for failures of sps itself.
Exit codes of "sps run": the program's own exit code; 124 timeout, 137 out of memory,
141 output past the cap, 130 cancelled (Ctrl-C cancels the execution), 70 the service
could not run it. Failures of sps itself: 64 usage, 65 request refused as invalid,
66 local file unreadable, 69 service unreachable or unavailable, 75 over quota,
77 missing or bad API key, 1 any other refusal (unknown name, failed build).`;

/** Builds the command line; each action resolves with the exit code. */
export const buildProgram = (exit: (code: number) => void): Command => {
  const program = new Command('sps')
    .description('Runs Python in SimplePySandbox, a service that runs each job in its own locked-down container.')
    .addOption(new Option('--url <url>', 'the service').env('SPS_URL').default(DEFAULT_URL))
    .addOption(new Option('--key <key>', 'the API key (prefer SPS_API_KEY: arguments show in ps)').env('SPS_API_KEY'))
    .showHelpAfterError('(sps --help shows the commands and examples)')
    .addHelpText('after', EXAMPLES);

  const client = (command: Command): { client: SandboxClient; url: string } => {
    const { url, key } = command.optsWithGlobals<{ url: string; key?: string }>();
    return { client: new SandboxClient({ baseUrl: url, apiKey: key }), url };
  };
  const act =
    <A extends unknown[]>(action: (client: SandboxClient, ...args: A) => Promise<number>) =>
    async (...args: [...A, Command]) => {
      const command = args[args.length - 1] as Command;
      const { client: sps, url } = client(command);
      try {
        exit(await action(sps, ...(args.slice(0, -1) as A)));
      } catch (error) {
        const { message, exitCode } = describeFailure(error, url);
        process.stderr.write(`sps: ${message}\n`);
        exit(exitCode);
      }
    };

  program
    .command('run')
    .description('run a Python script, printing its output as it runs; returned files go to ./sps-out/<id>/')
    .argument('<script>', 'the Python file to run')
    .option('--env <name>', 'the environment to run in (default: default)')
    .option('--file <path>', 'an input file, under its relative path (or its name); repeatable', collect)
    .option('--stdin <file>', "standard input from a file, or - for this process's stdin")
    .option('--arg <value>', 'an argument for sys.argv[1:]; repeatable', collect)
    .option('--timeout <duration>', 'wall-time limit, e.g. 500ms, 5s, 2m', parseDuration)
    .option('--memory <size>', 'memory limit, e.g. 256m, 1g', parseMemory)
    .option('--json', 'print the whole result as JSON at the end instead of the output')
    .action(act((sps, script: string, flags: RunFlags) => runScript(sps, script, flags)));

  program
    .command('session')
    .description(
      'a Python prompt on a session, which keeps its state between cells; PNG displays go to ./sps-out/<session id>/',
    )
    .option('--env <name>', 'the environment to run in (default: default)')
    .option('--memory <size>', "the session's memory limit, e.g. 256m, 1g", parseMemory)
    .option('--timeout <duration>', 'the time limit of each cell, e.g. 30s, 2m', parseDuration)
    .option('--idle-timeout <duration>', 'close the session after this long without a cell, e.g. 10m', parseDuration)
    .addHelpText(
      'after',
      `
Type Python as at python's own prompt: a line that opens a block (ends with ":"), or leaves a
bracket or a string open, continues on the next; a blank line ends a block. Each cell prints its
stdout and stderr, then the value of its last expression. exit(), Ctrl-D or the end of piped
input closes the session; Ctrl-C drops the cell being typed.`,
    )
    .action(act((sps, flags: SessionFlags) => runSessionRepl(sps, flags)));

  const env = program.command('env').description('manage environments (images that jobs run in)');
  env
    .command('create')
    .description('create an environment, or a new version of one, from a JSON spec (admin key)')
    .argument('<spec>', 'a JSON file: {"name": "mystack", "apt": ["python3-six"]}')
    .option('--follow', 'show the build log live and exit non-zero unless the build succeeds')
    .action(act((sps, spec: string, flags: { follow?: boolean }) => createEnvironment(sps, spec, flags)));
  env
    .command('list')
    .description('list the environments and their status')
    .option('--json', 'print JSON')
    .action(act((sps, flags: { json?: boolean }) => listEnvironments(sps, flags)));
  env
    .command('rm')
    .description('remove an environment and its images (admin key)')
    .argument('<name>')
    .action(act((sps, name: string) => removeEnvironment(sps, name)));

  const keys = program
    .command('keys')
    .description('manage API keys through /v1/keys (admin key); `npm run keys` works on the Redis directly')
    .addHelpText(
      'after',
      '\nWith no admin key at hand, create one on the service host: npm run keys -- create --name ops --admin',
    );
  addQuotaOptions(
    keys
      .command('create')
      .description("create a key; it is printed once. Quotas left out take the server's defaults")
      .requiredOption('--name <name>', 'a unique name')
      .option('--admin', 'an admin key instead of a user key'),
  )
    .option('--json', 'print JSON')
    .action(act((sps, flags: KeyFlags) => createKey(sps, flags)));
  keys
    .command('list')
    .description('list the keys (never the keys themselves)')
    .option('--json', 'print JSON')
    .action(act((sps, flags: { json?: boolean }) => listKeys(sps, flags)));
  keys
    .command('revoke')
    .description('revoke a key by id or name; it stops working at once')
    .argument('<id>')
    .action(act((sps, id: string) => revokeKey(sps, id)));

  return program;
};

const main = async (): Promise<void> => {
  const program = buildProgram((code) => {
    process.exitCode = code;
  });
  program.exitOverride();
  for (const command of program.commands.flatMap((c) => [c, ...c.commands])) command.exitOverride();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not failures; every other complaint of commander's is a usage error.
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    if (error instanceof CliError) {
      process.stderr.write(`sps: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    throw error;
  }
};

void main();
