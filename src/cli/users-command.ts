/**
 * `pantau users …`: who may sign in to the workspace and which machines hold API tokens.
 * Passwords are read from standard input (one line; never a command-line argument, which `ps` and shell
 * history would keep), or generated and shown once. Tokens are shown once when created.
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import type { Client } from '@elastic/elasticsearch';
import { ROLES, type Role } from '../api/route.ts';
import { addToken, addUser, generatePassword, revokeToken, setDisabled, setPassword, setRole, unlockUser } from '../auth/accounts.ts';
import { listTokens, listUsers } from '../auth/user-store.ts';
import type { Clock } from '../core/clock.ts';

export const USERS_HELP = `pantau users — who may use the workspace (analysts, humas units, leadership, admins)

Usage: npm run pantau -- users <command> [options]

  list                                   Users and API tokens (never their secrets).
  add <username> --role R [--unit U] [--name "Display Name"] [--password-stdin]
                                         Add a user. Roles: ${ROLES.join(', ')} (humas needs --unit, a unit id of
                                         pipelines/humas-units.json). Without --password-stdin a password is
                                         generated and shown once.
  passwd <username> [--password-stdin]   Set a new password (generated unless read from stdin); ends the user's sessions.
  role <username> --role R [--unit U]    Change a user's role; ends the user's sessions.
  disable <username> | enable <username> Disabled users cannot sign in; their sessions end at once.
  unlock <username>                      Lift a lockout after repeated failed sign-ins.
  token create --name N --role R [--unit U] [--expires-days D]
                                         An API token for a machine (Authorization: Bearer …), shown once.
  token revoke <token id>                The token stops working (within 30 s on running servers).

Passwords: at least 12 characters. Example:  echo "$NEW_PASSWORD" | npm run pantau -- users add sari --role analyst --password-stdin
`;

export interface UsersDeps {
  es: Client;
  prefix: string;
  clock: Clock;
  unitIds: ReadonlySet<string>;
  say(line: string): void;
  /** Standard input, for --password-stdin. */
  stdin?: NodeJS.ReadableStream;
}

async function readLine(stream: NodeJS.ReadableStream): Promise<string> {
  const rl = createInterface({ input: stream, terminal: false });
  for await (const line of rl) {
    rl.close();
    return line.replace(/\r$/, '');
  }
  throw new Error('--password-stdin: standard input was empty');
}

function role(value: string | undefined): Role {
  if (value === undefined || !(ROLES as readonly string[]).includes(value)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  return value as Role;
}

/** Runs `users <args>`; returns the exit code. Errors with a message for a person are thrown. */
export async function runUsersCommand(args: string[], deps: UsersDeps): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      role: { type: 'string' },
      unit: { type: 'string' },
      name: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      'expires-days': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [sub, target, extra] = positionals;
  if (values.help || sub === undefined || sub === 'help') {
    deps.say(USERS_HELP);
    return sub === undefined && !values.help ? 2 : 0;
  }
  const { es, prefix, clock, unitIds, say } = deps;
  const password = async () => (values['password-stdin'] ? readLine(deps.stdin ?? process.stdin) : generatePassword());
  const need = (what: string) => {
    if (!target) throw new Error(`users ${sub} needs ${what}; see npm run pantau -- users --help`);
    return target;
  };
  switch (sub) {
    case 'list': {
      const users = await listUsers(es, prefix);
      const tokens = await listTokens(es, prefix);
      say(`${users.length} users`);
      for (const u of users) say(`  ${u.username.padEnd(20)} ${u.role.padEnd(10)} ${(u.unit ?? '-').padEnd(14)} ${u.disabled ? 'disabled' : u.locked_until && Date.parse(u.locked_until) > clock() ? `locked until ${u.locked_until}` : 'active'}  ${u.display_name}`);
      say(`${tokens.length} API tokens`);
      for (const t of tokens) say(`  ${t.token_id} ${t.role.padEnd(10)} ${(t.unit ?? '-').padEnd(14)} ${t.revoked_at ? `revoked ${t.revoked_at}` : t.expires_at ? `expires ${t.expires_at}` : 'no expiry'}  ${t.name}`);
      return 0;
    }
    case 'add': {
      const username = need('a username');
      const secret = await password();
      await addUser(es, prefix, clock, { username, role: role(values.role), unit: values.unit ?? null, password: secret, ...(values.name ? { displayName: values.name } : {}) }, unitIds);
      say(`user ${username} added (${values.role}${values.unit ? `, unit ${values.unit}` : ''})`);
      if (!values['password-stdin']) say(`password (shown once, give it to the user over a safe channel): ${secret}`);
      return 0;
    }
    case 'passwd': {
      const username = need('a username');
      const secret = await password();
      await setPassword(es, prefix, clock, username, secret);
      say(`password of ${username} changed; their sessions ended`);
      if (!values['password-stdin']) say(`new password (shown once): ${secret}`);
      return 0;
    }
    case 'role': {
      const username = need('a username');
      await setRole(es, prefix, clock, username, role(values.role), values.unit ?? null, unitIds);
      say(`${username} is now ${values.role}${values.unit ? ` of ${values.unit}` : ''}; their sessions ended`);
      return 0;
    }
    case 'disable':
    case 'enable': {
      const username = need('a username');
      await setDisabled(es, prefix, clock, username, sub === 'disable');
      say(`${username} ${sub}d`);
      return 0;
    }
    case 'unlock': {
      await unlockUser(es, prefix, clock, need('a username'));
      say(`${target} unlocked`);
      return 0;
    }
    case 'token': {
      if (target === 'create') {
        const days = values['expires-days'] === undefined ? undefined : Number(values['expires-days']);
        if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650)) throw new Error('--expires-days must be a whole number from 1 to 3650');
        const { doc, token } = await addToken(es, prefix, clock, { name: values.name ?? '', role: role(values.role), unit: values.unit ?? null, createdBy: process.env.USER ?? 'cli', ...(days ? { expiresInDays: days } : {}) }, unitIds);
        say(`token ${doc.token_id} created (${doc.role}${doc.unit ? `, unit ${doc.unit}` : ''}${doc.expires_at ? `, expires ${doc.expires_at}` : ''})`);
        say(`token (shown once; send it as "Authorization: Bearer <token>"): ${token}`);
        return 0;
      }
      if (target === 'revoke') {
        if (!extra) throw new Error('users token revoke needs the token id (see users list)');
        const doc = await revokeToken(es, prefix, clock, extra);
        say(`token ${doc.token_id} revoked at ${doc.revoked_at}`);
        return 0;
      }
      throw new Error('users token: create or revoke; see npm run pantau -- users --help');
    }
    default:
      throw new Error(`unknown users command "${sub}"; see npm run pantau -- users --help`);
  }
}
