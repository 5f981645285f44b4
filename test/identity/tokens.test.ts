// Register tokens as an operator hands them out: they must survive a command line
// (`--token T` with T never starting with '-', which an option parser reads as a flag),
// work once, and only for their namespace.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RegisterTokens } from '../../src/identity/tokens.js';

const t = suite('register tokens');

t('never start with "-", carry the srt_ prefix, and are used up by one registration', async () => {
  const tokens = await RegisterTokens.open(undefined, false);
  const made: string[] = [];
  for (let i = 0; i < 500; i++) made.push((await tokens.create('acme.com', 60)).token);
  for (const token of made) {
    assert.ok(!token.startsWith('-'), token);
    assert.match(token, /^srt_[A-Za-z0-9_-]{32}$/);
  }
  await tokens.consume(made[0], 'acme.com');
  try {
    await tokens.consume(made[0], 'acme.com');
    assert.unreachable('a second use must be refused');
  } catch (err) {
    assert.match((err as Error).message, /already used/);
  }
  try {
    await tokens.consume(made[1], 'other.com');
    assert.unreachable('another namespace must be refused');
  } catch (err) {
    assert.match((err as Error).message, /is for acme.com, not other.com/);
  }
  await tokens.close();
});

t.run();
