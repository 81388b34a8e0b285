/**
 * Lua run by Redis, so that a task's state, its audit trail, the queues and
 * indexes around it and the outbox record of the change move together or
 * not at all. The decisions are made in TypeScript (see TaskTransitions);
 * these scripts only check that nobody moved the task meanwhile and apply.
 */

/**
 * KEYS[1] task hash, KEYS[2] history list, KEYS[3] outbox stream.
 * ARGV[1] JSON mutation: { expectAbsent | expectState + expectAttempt [+ expectLease + expectWorker], set, del,
 *   history[], zadd[[k,score,m]], zrem[[k,m]], zremCounted[[k,m,depthKey,field]], sadd[[k,m]], srem[[k,m]],
 *   hincr[[k,f,n]], expire[[k,s]], outbox[json] }.
 * A worker's report carries expectLease (`<attempt>.<hash>` of the lease
 * token it sent) and expectWorker (unless it hands the task back): checked here, in the same script as the change,
 * so no report counts unless it holds the lease of the attempt it changes.
 * Returns {'OK'} | {'NOT_FOUND'} | {'EXISTS', state, attempt} | {'CHANGED', state, attempt} | {'LEASE', state, attempt}.
 */
export const APPLY_MUTATION = `
local m = cjson.decode(ARGV[1])
local current = redis.call('HMGET', KEYS[1], 'state', 'attempt', 'lease', 'workerId')
if m.expectAbsent then
  if current[1] then return {'EXISTS', current[1], current[2]} end
else
  if not current[1] then return {'NOT_FOUND'} end
  if current[1] ~= m.expectState or (m.expectAttempt and current[2] ~= tostring(m.expectAttempt)) then
    return {'CHANGED', current[1], current[2]}
  end
  if m.expectLease and (current[3] ~= m.expectLease or (m.expectWorker and current[4] ~= m.expectWorker)) then
    return {'LEASE', current[1], current[2]}
  end
end
if m.set then
  local args = {}
  for field, value in pairs(m.set) do args[#args + 1] = field; args[#args + 1] = value end
  if #args > 0 then redis.call('HSET', KEYS[1], unpack(args)) end
end
if m.del and #m.del > 0 then redis.call('HDEL', KEYS[1], unpack(m.del)) end
if m.history then for _, entry in ipairs(m.history) do redis.call('RPUSH', KEYS[2], entry) end end
if m.zrem then for _, op in ipairs(m.zrem) do redis.call('ZREM', op[1], op[2]) end end
-- Leaving the ready queue: the per-priority depth drops only if it really was in it.
if m.zremCounted then
  for _, op in ipairs(m.zremCounted) do
    if redis.call('ZREM', op[1], op[2]) == 1 then redis.call('HINCRBY', op[3], op[4], -1) end
  end
end
if m.zadd then for _, op in ipairs(m.zadd) do redis.call('ZADD', op[1], op[2], op[3]) end end
if m.srem then for _, op in ipairs(m.srem) do redis.call('SREM', op[1], op[2]) end end
if m.sadd then for _, op in ipairs(m.sadd) do redis.call('SADD', op[1], op[2]) end end
if m.hincr then for _, op in ipairs(m.hincr) do redis.call('HINCRBY', op[1], op[2], op[3]) end end
if m.expire then for _, op in ipairs(m.expire) do redis.call('EXPIRE', op[1], op[2]) end end
if m.outbox then for _, record in ipairs(m.outbox) do redis.call('XADD', KEYS[3], 'MAXLEN', '~', '1000000', '*', 'r', record) end end
return {'OK'}
`;

/**
 * Hands ready tasks of one pool to live workers with free slots, most free
 * slots first, up to ARGV[4] tasks, in queue order. A task goes only to a
 * worker that announced its type; a task no live worker can run stays
 * queued (it does not hold up the others behind it, within the scanned
 * window). Each task becomes SCHEDULED on its worker, gets a deadline,
 * joins the worker's in-flight set, and an assignment plus a lifecycle
 * record go to the outbox. Each dispatched attempt takes the next lease
 * from ARGV (drawn by the orchestrator, since a script has no secure
 * randomness): the task keeps `<attempt>.<hash>`, the assignment carries the token.
 *
 * ARGV: prefix, pool, nowMs, max, nowIso, then max pairs of lease token, lease hash.
 * Returns the number of tasks dispatched.
 */
export const DISPATCH = `
local P, pool, now, max, nowIso = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
if redis.call('EXISTS', P .. 'queue:paused:' .. pool) == 1 then return 0 end
local readyKey = P .. 'queue:' .. pool
if redis.call('ZCARD', readyKey) == 0 then return 0 end

local candidates = {}
local totalFree = 0
local workers = redis.call('HGETALL', P .. 'workers:' .. pool)
for i = 1, #workers, 2 do
  local id, w = workers[i], cjson.decode(workers[i + 1])
  if w.expiresAt > now and w.capacity > 0 and #w.partitions > 0 then
    local free = w.capacity - redis.call('SCARD', P .. 'worker:' .. id .. ':inflight')
    if free > 0 then
      local types = {}
      for _, t in ipairs(w.types or {}) do types[t] = true end
      candidates[#candidates + 1] = { id = id, free = free, partitions = w.partitions, types = types }
      totalFree = totalFree + free
    end
  end
end
if totalFree == 0 then return 0 end

local dispatched = 0
local outbox = P .. 'outbox'
local window = redis.call('ZRANGE', readyKey, 0, math.max(max, 256) * 4 - 1)
for _, id in ipairs(window) do
  if dispatched >= max or totalFree == 0 or ARGV[7 + dispatched * 2] == nil then break end
  local taskKey = P .. 'task:' .. id
  local t = redis.call('HMGET', taskKey, 'state', 'attempt', 'priority', 'type', 'params', 'timeLimitMs', 'checkpoint', 'correlationId')
  if t[1] ~= 'QUEUED' then
    redis.call('ZREM', readyKey, id)
  else
    local best = nil
    for _, c in ipairs(candidates) do
      if c.free > 0 and c.types[t[4]] and (best == nil or c.free > best.free) then best = c end
    end
    if best ~= nil then
      redis.call('ZREM', readyKey, id)
      best.free = best.free - 1
      totalFree = totalFree - 1
      local turn = redis.call('INCR', P .. 'dispatch:turn')
      local partition = best.partitions[(turn % #best.partitions) + 1]
      local deadline = now + tonumber(t[6])
      local leaseToken, leaseHash = ARGV[6 + dispatched * 2], ARGV[7 + dispatched * 2]
      redis.call('HSET', taskKey, 'state', 'SCHEDULED', 'workerId', best.id, 'deadlineMs', deadline, 'updatedAt', nowIso, 'lease', t[2] .. '.' .. leaseHash)
      redis.call('HINCRBY', P .. 'queue:depth', pool .. ':' .. t[3], -1)
      local created = redis.call('ZSCORE', P .. 'tasks:all', id) or now
      redis.call('ZREM', P .. 'tasks:state:QUEUED', id)
      redis.call('ZADD', P .. 'tasks:state:SCHEDULED', created, id)
      redis.call('ZADD', P .. 'queue:deadlines', deadline, id)
      redis.call('SADD', P .. 'worker:' .. best.id .. ':inflight', id)
      local entry = cjson.encode({ from = 'QUEUED', to = 'SCHEDULED', attempt = tonumber(t[2]),
        actor = 'orchestrator', source = 'dispatcher', reason = 'assigned to ' .. best.id, at = nowIso })
      redis.call('RPUSH', P .. 'task:' .. id .. ':history', entry)
      redis.call('XADD', outbox, 'MAXLEN', '~', '1000000', '*', 'r', cjson.encode({ kind = 'lifecycle', taskId = id, entry = entry, type = t[4], priority = t[3], correlationId = t[8] or nil }))
      redis.call('XADD', outbox, 'MAXLEN', '~', '1000000', '*', 'r', cjson.encode({ kind = 'assignment', taskId = id,
        attempt = tonumber(t[2]), type = t[4], pool = pool, workerId = best.id, leaseToken = leaseToken, partition = partition, priority = t[3],
        params = t[5], deadlineMs = deadline, checkpoint = t[7] or 'null' }))
      dispatched = dispatched + 1
    end
  end
end
return dispatched
`;

/**
 * Moves what is due from the delayed set: QUEUED tasks whose time has come
 * join the ready queue; RETRYING tasks whose backoff is over become QUEUED
 * (with their audit entry and lifecycle record). ARGV: prefix, nowMs,
 * nowIso, agingStepMs, limit. Returns the pools that received tasks.
 */
export const PROMOTE_DUE = `
local P, now, nowIso, aging, limit = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local rank = { CRITICAL = 0, HIGH = 1, MEDIUM = 2, LOW = 3, BACKGROUND = 4 }
local due = redis.call('ZRANGEBYSCORE', P .. 'queue:delayed', '-inf', now, 'LIMIT', 0, limit)
local pools = {}
for _, id in ipairs(due) do
  redis.call('ZREM', P .. 'queue:delayed', id)
  local taskKey = P .. 'task:' .. id
  local t = redis.call('HMGET', taskKey, 'state', 'attempt', 'priority', 'pool', 'type', 'correlationId')
  if t[1] == 'QUEUED' or t[1] == 'RETRYING' then
    local score = now + rank[t[3]] * aging
    if t[1] == 'RETRYING' then
      local entry = cjson.encode({ from = 'RETRYING', to = 'QUEUED', attempt = tonumber(t[2]),
        actor = 'orchestrator', source = 'scheduler', reason = 'backoff elapsed', at = nowIso })
      redis.call('HSET', taskKey, 'state', 'QUEUED', 'updatedAt', nowIso, 'queueScore', score)
      redis.call('HDEL', taskKey, 'retryAt')
      redis.call('RPUSH', taskKey .. ':history', entry)
      local created = redis.call('ZSCORE', P .. 'tasks:all', id) or now
      redis.call('ZREM', P .. 'tasks:state:RETRYING', id)
      redis.call('ZADD', P .. 'tasks:state:QUEUED', created, id)
      redis.call('XADD', P .. 'outbox', 'MAXLEN', '~', '1000000', '*', 'r', cjson.encode({ kind = 'lifecycle', taskId = id, entry = entry, type = t[5], priority = t[3], correlationId = t[6] or nil }))
    else
      redis.call('HSET', taskKey, 'queueScore', score)
    end
    redis.call('ZADD', P .. 'queue:' .. t[4], score, id)
    redis.call('HINCRBY', P .. 'queue:depth', t[4] .. ':' .. t[3], 1)
    pools[t[4]] = true
  end
end
local out = {}
for pool, _ in pairs(pools) do out[#out + 1] = pool end
return out
`;
