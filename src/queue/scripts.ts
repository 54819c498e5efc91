/**
 * The Lua scripts that make queue bookkeeping atomic. Each runs in one round
 * trip and cannot be interleaved with another client's commands, which is
 * what turns at-least-once job delivery into exactly-once results.
 */

/**
 * Record a new campaign. KEYS: campaign hash, campaign list, result stream.
 * ARGV: name, spec JSON. Returns 0 when the name is taken, 1 when created.
 * The stream entry (the write that can fail) goes first: scripts are not
 * rolled back.
 */
export const CREATE_CAMPAIGN = `
if redis.call('HEXISTS', KEYS[1], 'spec') == 1 then return 0 end
redis.call('XADD', KEYS[3], '*', 'kind', 'campaign', 'campaign', ARGV[1], 'spec', ARGV[2])
redis.call('HSET', KEYS[1], 'spec', ARGV[2], 'state', 'created', 'nextChunk', '0', 'doneChunks', '0')
redis.call('SADD', KEYS[2], ARGV[1])
return 1
`;

/**
 * Lua shared by the scripts that can end a campaign: when every chunk of
 * every lane (vantage) is either committed or failed for good, a running (or
 * paused) campaign becomes `done` (none failed) or `done-with-failures`; a
 * `done-with-failures` campaign whose retried chunks all committed becomes
 * `done`. `total` counts chunks over all lanes; the campaign hash's
 * `doneChunks` does too, and the failed chunks are those of every lane's
 * failed hash (KEYS from `firstFailed` on). The `campaign-end` stream entry
 * tells the writer; it is sent with pcall because the campaign hash, not the
 * notice, is the record: a broken stream must not keep a campaign running
 * for ever. Returns the state after the check.
 */
const SETTLE_FUNCTION = `
local function settle(campaignKey, firstFailed, streamKey, total, now, name)
  local state = redis.call('HGET', campaignKey, 'state')
  if state ~= 'running' and state ~= 'paused' and state ~= 'done-with-failures' then return state end
  local done = tonumber(redis.call('HGET', campaignKey, 'doneChunks') or '0')
  local failed = 0
  for k = firstFailed, #KEYS do failed = failed + redis.call('HLEN', KEYS[k]) end
  if done + failed < total then return state end
  local ended = 'done'
  if failed > 0 then ended = 'done-with-failures' end
  if ended == state then return state end
  redis.call('HSET', campaignKey, 'state', ended, 'endedAt', now)
  redis.pcall('XADD', streamKey, '*', 'kind', 'campaign-end', 'campaign', name, 'state', ended, 'endedAt', now)
  return ended
end
`;

/**
 * Commit a finished chunk of one lane. KEYS: campaign hash, the lane's done
 * bitmap, result stream, the lane's failed-chunks hash, the lane's progress
 * hash (the campaign hash itself for a single-vantage campaign), then every
 * lane's failed-chunks hash. ARGV: index, chunks over all lanes, nowIso, job
 * label, campaign, stats JSON, records JSON, then field/increment pairs for
 * the counters (kept per lane and for the campaign). Returns -1 (campaign
 * cancelled: discarded), 0 (already committed by an earlier run of the
 * chunk: discarded), 1 (committed), 2 (committed, and the campaign is now
 * done), 3 (committed, and the campaign is now done-with-failures). A chunk
 * that had failed for good and was retried leaves the failed list when it
 * commits.
 */
export const COMMIT_CHUNK = `${SETTLE_FUNCTION}
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'cancelled' then return -1 end
local index = tonumber(ARGV[1])
if redis.call('GETBIT', KEYS[2], index) == 1 then return 0 end
-- A script is not rolled back when a command fails: the write that can fail
-- (a stream in trouble) goes first, so a failed commit leaves no done bit.
redis.call('XADD', KEYS[3], '*', 'kind', 'chunk', 'campaign', ARGV[5], 'job', ARGV[4], 'stats', ARGV[6], 'records', ARGV[7])
redis.call('SETBIT', KEYS[2], index, 1)
redis.call('HDEL', KEYS[4], ARGV[1])
local lane = KEYS[5] ~= KEYS[1]
for i = 8, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], tonumber(ARGV[i + 1]))
  if lane then redis.call('HINCRBY', KEYS[5], ARGV[i], tonumber(ARGV[i + 1])) end
end
redis.call('HINCRBY', KEYS[1], 'doneChunks', 1)
if lane then redis.call('HINCRBY', KEYS[5], 'doneChunks', 1) end
local after = settle(KEYS[1], 6, KEYS[3], tonumber(ARGV[2]), ARGV[3], ARGV[5])
if after == 'done' and state ~= 'done' then return 2 end
if after == 'done-with-failures' and state ~= 'done-with-failures' then return 3 end
return 1
`;

/**
 * Record a chunk that failed for good (its attempts used up, or a payload
 * that can never succeed). KEYS: campaign hash, the lane's done bitmap, the
 * lane's failed-chunks hash, result stream, then every lane's failed-chunks
 * hash. ARGV: index, chunks over all lanes, nowIso, campaign, failure JSON. Returns -1 (campaign cancelled: not recorded), 0 (the chunk was
 * committed by another run: not a failure), 1 (recorded), 2 (recorded, and
 * the campaign is now done-with-failures).
 */
export const FAIL_CHUNK = `${SETTLE_FUNCTION}
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'cancelled' then return -1 end
if redis.call('GETBIT', KEYS[2], tonumber(ARGV[1])) == 1 then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[5])
local after = settle(KEYS[1], 5, KEYS[4], tonumber(ARGV[2]), ARGV[3], ARGV[4])
if after == 'done-with-failures' and state ~= 'done-with-failures' then return 2 end
return 1
`;

/**
 * End a campaign whose chunks are all accounted for, if no commit or failure
 * did (a process died between recording and ending). KEYS: campaign hash,
 * result stream, then every lane's failed-chunks hash. ARGV: chunks over all
 * lanes, nowIso, campaign. Returns the state after the check.
 */
export const SETTLE_CAMPAIGN = `${SETTLE_FUNCTION}
return settle(KEYS[1], 3, KEYS[2], tonumber(ARGV[1]), ARGV[2], ARGV[3])
`;

/**
 * Take failed chunks off the failed list for a retry. KEYS: campaign hash,
 * the lane's failed-chunks hash. ARGV: index/failure-JSON pairs as the caller read
 * them; an entry that changed since (the chunk failed again meanwhile) is
 * left alone. A done-with-failures campaign runs again. Returns the indexes
 * taken off, or -1 when the campaign is in no state to retry.
 */
export const RETRY_CHUNKS = `
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'running' and state ~= 'paused' and state ~= 'done-with-failures' then return -1 end
local taken = {}
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[i + 1] then
    redis.call('HDEL', KEYS[2], ARGV[i])
    table.insert(taken, ARGV[i])
  end
end
if state == 'done-with-failures' and #taken > 0 then
  redis.call('HSET', KEYS[1], 'state', 'running')
  redis.call('HDEL', KEYS[1], 'endedAt')
end
return taken
`;

/**
 * Claim the next chunks to feed, compare-and-set style. KEYS: the lane's
 * progress hash (the campaign hash for a single-vantage campaign).
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
