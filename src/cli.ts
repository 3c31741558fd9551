#!/usr/bin/env node
/**
 * `scim-bridge <command>`: operator commands that need no running gateway (audit reads its store). Each command has its usage
 * (`scim-bridge <command> --help`); `scim-bridge --help` lists the commands, `--version` the version.
 */
import { AUDIT_SUMMARY, AUDIT_USAGE, auditCommand } from './audit/command.js';
import { HASH_SECRET_SUMMARY, HASH_SECRET_USAGE, hashSecretCommand } from './auth/hash-secret-command.js';
import { VALIDATE_SUMMARY, VALIDATE_USAGE, validateCommand } from './config/validate-command.js';
import { EXPLAIN_SUMMARY, EXPLAIN_USAGE, explainCommand } from './connectors/rest/explain-command.js';
import { packageVersion } from './package-info.js';
import { RECONCILE_SUMMARY, RECONCILE_USAGE, reconcileCommand } from './reconcile/command.js';

interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };

const COMMANDS: Record<string, Command> = {
  validate: { summary: VALIDATE_SUMMARY, usage: VALIDATE_USAGE, run: (args) => validateCommand(args, io) },
  explain: { summary: EXPLAIN_SUMMARY, usage: EXPLAIN_USAGE, run: (args) => explainCommand(args, io) },
  'hash-secret': { summary: HASH_SECRET_SUMMARY, usage: HASH_SECRET_USAGE, run: (args) => hashSecretCommand(args, io) },
  reconcile: { summary: RECONCILE_SUMMARY, usage: RECONCILE_USAGE, run: (args) => reconcileCommand(args, io) },
  audit: { summary: AUDIT_SUMMARY, usage: AUDIT_USAGE, run: (args) => auditCommand(args, io) },
};

const USAGE = `usage: scim-bridge <command> [options]

${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`)
  .join('\n')}

  scim-bridge <command> --help   the options of a command
  scim-bridge --version          the version
`;

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';

/** node:util parseArgs refusing an option or a value: the operator's mistake, not ours. */
function isUsageError(error: unknown): boolean {
  const code = error instanceof TypeError ? (error as NodeJS.ErrnoException).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

async function run(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (isHelp(first)) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (first === '--version' || first === '-v' || first === 'version') {
    process.stdout.write(`scim-bridge ${packageVersion()}\n`);
    return 0;
  }
  const name = first === 'help' ? rest[0] : first;
  const command = name === undefined ? undefined : Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (first === 'help' && name === undefined) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!command) {
    process.stderr.write(`scim-bridge: unknown command "${name}"\n${USAGE}`);
    return 2;
  }
  if (first === 'help' || rest.some(isHelp)) {
    process.stdout.write(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (isUsageError(error)) {
      process.stderr.write(`scim-bridge ${name}: ${(error as Error).message}\n${command.usage}`);
      return 2;
    }
    process.stderr.write(`scim-bridge: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
