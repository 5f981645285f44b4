// REDIS_URL forms: one server, Sentinel and Cluster, and clear refusals of the rest.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeRedis, parseRedisUrl, redact } from '../../src/redis/index.js';

test('redis:// and rediss:// go to ioredis as they are', () => {
  assert.equal(parseRedisUrl('redis://127.0.0.1:6379/2'), { kind: 'single', url: 'redis://127.0.0.1:6379/2', tls: false });
  assert.is(parseRedisUrl('rediss://:pw@cache.example:6380').tls, true);
});

test('redis+sentinel:// names the sentinels, the master, the database and passwords', () => {
  assert.equal(parseRedisUrl('redis+sentinel://:s3cret@10.0.0.1:26379,10.0.0.2/mymaster/3?sentinel_password=sp'), {
    kind: 'sentinel',
    nodes: [
      { host: '10.0.0.1', port: 26379 },
      { host: '10.0.0.2', port: 26379 },
    ],
    master: 'mymaster',
    db: 3,
    sentinelPassword: 'sp',
    password: 's3cret',
    tls: false,
  });
  assert.is(parseRedisUrl('redis-sentinel://s1:5000/m').kind, 'sentinel');
});

test('redis+cluster:// names seed nodes (6379 by default), with user and password', () => {
  assert.equal(parseRedisUrl('rediss+cluster://app:p%40ss@h1:7000,h2,[::1]:7002'), {
    kind: 'cluster',
    nodes: [
      { host: 'h1', port: 7000 },
      { host: 'h2', port: 6379 },
      { host: '::1', port: 7002 },
    ],
    username: 'app',
    password: 'p@ss',
    tls: true,
  });
  assert.is(parseRedisUrl('redis-cluster://h1:7000').kind, 'cluster');
});

test('bad forms are refused with BAD_CONFIG and without the password', () => {
  const refuse = (url: string, why: RegExp) => {
    try {
      parseRedisUrl(url);
    } catch (err) {
      const e = err as { code: string; message: string };
      assert.is(e.code, 'BAD_CONFIG', url);
      assert.match(e.message, why);
      assert.not.match(e.message, /hunter2/);
      return;
    }
    assert.unreachable(`accepted ${url}`);
  };
  refuse('redis+sentinel://:hunter2@h1:26379', /name the master/);
  refuse('redis+cluster://:hunter2@h1:7000/0', /no database number/);
  refuse('redis+cluster://h1:99999', /not host:port/);
  refuse('memcached://:hunter2@h1', /expected redis:\/\//);
});

test('log descriptions hide passwords', () => {
  assert.is(redact('redis://user:hunter2@h:6379'), 'redis://user:***@h:6379');
  assert.is(describeRedis('redis://:hunter2@h:6379'), 'Redis redis://:***@h:6379');
  assert.is(describeRedis('redis+cluster://:hunter2@a:1,b:2'), 'Redis Cluster a:1,b:2');
  assert.is(describeRedis('redis+sentinel://a:1/mymaster'), 'Redis Sentinel a:1 master mymaster');
});

test.run();
