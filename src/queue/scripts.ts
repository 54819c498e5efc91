/**
 * The Lua scripts that make queue bookkeeping atomic. Each runs in one round
 * trip and cannot be interleaved with another client's commands, which is
 * what turns at-least-once job delivery into exactly-once results.
 */

/**
 * Commit a finished chunk. KEYS: campaign hash, done bitmap, result stream.
 * ARGV: index, chunksTotal, nowIso, job label, campaign, stats JSON,
 * records JSON, then field/increment pairs for the campaign counters.
 * Returns -1 (campaign cancelled: discarded), 0 (already committed by an
 * earlier run of the chunk: discarded), 1 (committed), 2 (committed, and it
 * was the campaign's last chunk).
 */
export const COMMIT_CHUNK = `
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'cancelled' then return -1 end
local index = tonumber(ARGV[1])
if redis.call('GETBIT', KEYS[2], index) == 1 then return 0 end
redis.call('SETBIT', KEYS[2], index, 1)
redis.call('XADD', KEYS[3], '*', 'kind', 'chunk', 'campaign', ARGV[5], 'job', ARGV[4], 'stats', ARGV[6], 'records', ARGV[7])
for i = 8, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], tonumber(ARGV[i + 1]))
end
local done = redis.call('HINCRBY', KEYS[1], 'doneChunks', 1)
if done >= tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'state', 'done', 'endedAt', ARGV[3])
  redis.call('XADD', KEYS[3], '*', 'kind', 'campaign-end', 'campaign', ARGV[5], 'endedAt', ARGV[3])
  return 2
end
return 1
`;

/**
 * Claim the next chunks to feed, compare-and-set style. KEYS: campaign hash.
 * ARGV: the 'nextChunk' value the caller read, how many it added. Returns 1
 * when the caller's read was still current (the pointer moved), 0 otherwise.
 * A caller that loses the race added jobs another feeder also added: the
 * deterministic job ids make those adds no-ops.
 */
export const ADVANCE_FEED = `
local current = tonumber(redis.call('HGET', KEYS[1], 'nextChunk') or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'nextChunk', tonumber(ARGV[1]) + tonumber(ARGV[2]))
return 1
`;

/**
 * Shared token bucket. KEYS: bucket hash. ARGV: rate per second, burst,
 * tokens wanted. Time comes from the Redis server, so workers on machines
 * with skewed clocks share one notion of "now". Returns {granted, waitMs}.
 */
export const TAKE_TOKENS = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = 0
  ts = now
end
tokens = math.min(burst, tokens + (now - ts) * rate / 1000)
local granted = math.min(want, math.floor(tokens))
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], 60000)
if granted > 0 then return {granted, 0} end
return {0, math.ceil((1 - tokens) * 1000 / rate)}
`;
