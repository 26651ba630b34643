/// The Redis backend's Lua scripts: each state change is one script, so it is atomic. Every key
/// starts with the hash-tagged prefix (`{ns}:` by default), so a Redis Cluster keeps them in one
/// slot. ARGV[1] is always the prefix and ARGV[2] the caller's clock (Unix ms).
///
/// Layout: `job:<id>` hash per job; `ready` (score priority·2^40 + seq), `delayed` (run_at),
/// `processing` (lease expiry), `deadline` (start + timeout), `dead` (seq) and `queued_at`
/// (created_at of jobs in state queued) sorted sets; `unique:<key>` = "<id>|<expiry>";
/// `counts` hash of "state:priority"; `paused`; `seq`.
enum RedisQueueScripts {
    static let prelude = """
        local P = ARGV[1]
        local now = tonumber(ARGV[2])
        local function score(prio, seq) return tonumber(prio) * 1099511627776 + tonumber(seq) end
        local function count(state, prio, delta) redis.call('HINCRBY', P .. 'counts', state .. ':' .. prio, delta) end
        local function move(key, id, to)
          local prio = redis.call('HGET', key, 'priority')
          count(redis.call('HGET', key, 'state'), prio, -1)
          count(to, prio, 1)
          redis.call('HSET', key, 'state', to, 'updated_at', now)
          if to == 'queued' then redis.call('ZADD', P .. 'queued_at', redis.call('HGET', key, 'created_at'), id)
          else redis.call('ZREM', P .. 'queued_at', id) end
        end
        local function evict(maxdead)
          local evicted = {}
          if maxdead <= 0 then return evicted end
          local over = redis.call('ZCARD', P .. 'dead') - maxdead
          if over <= 0 then return evicted end
          for _, id in ipairs(redis.call('ZRANGE', P .. 'dead', 0, over - 1)) do
            local key = P .. 'job:' .. id
            count('dead_letter', redis.call('HGET', key, 'priority'), -1)
            redis.call('DEL', key)
            redis.call('ZREM', P .. 'dead', id)
            table.insert(evicted, id)
          end
          return evicted
        end
        local function failjob(id, worker, message, permanent, base, cap, ppm)
          local key = P .. 'job:' .. id
          local errors = cjson.decode(redis.call('HGET', key, 'errors'))
          table.insert(errors, {time = now, worker = worker, message = message})
          redis.call('HSET', key, 'errors', cjson.encode(errors))
          redis.call('HDEL', key, 'lease_owner', 'lease_expires_at')
          redis.call('ZREM', P .. 'processing', id)
          redis.call('ZREM', P .. 'deadline', id)
          local attempts = tonumber(redis.call('HGET', key, 'attempts'))
          if permanent or attempts >= tonumber(redis.call('HGET', key, 'max_attempts')) then
            move(key, id, 'dead_letter')
            redis.call('HSET', key, 'run_at', now)
            redis.call('ZADD', P .. 'dead', redis.call('HGET', key, 'seq'), id)
            return 'dead_letter'
          end
          local delay = math.min(cap, base * (2 ^ math.min(attempts - 1, 30)))
          local runat = now + math.floor(delay * ppm / 1000000)
          move(key, id, 'retry')
          redis.call('HSET', key, 'run_at', runat)
          redis.call('ZADD', P .. 'delayed', runat, id)
          return 'retry'
        end

        """

    /// ARGV: P, now, n, then per job: id, type, payload, priority, max_attempts, timeout_ms, unique_key, unique_ttl_ms.
    static let enqueue = prelude + """
        local out = {}
        for i = 0, tonumber(ARGV[3]) - 1 do
          local b = 4 + i * 8
          local id, ukey = ARGV[b], ARGV[b + 6]
          local existing = false
          if ukey ~= '' then
            local held = redis.call('GET', P .. 'unique:' .. ukey)
            if held then
              local sep = string.find(held, '|', 1, true)
              if tonumber(string.sub(held, sep + 1)) > now then
                table.insert(out, string.sub(held, 1, sep - 1))
                table.insert(out, 1)
                existing = true
              end
            end
          end
          if not existing then
            local seq = redis.call('INCR', P .. 'seq')
            local key = P .. 'job:' .. id
            redis.call('HSET', key, 'id', id, 'type', ARGV[b + 1], 'payload', ARGV[b + 2], 'priority', ARGV[b + 3], 'state', 'queued',
              'attempts', 0, 'max_attempts', ARGV[b + 4], 'timeout_ms', ARGV[b + 5], 'created_at', now, 'updated_at', now,
              'run_at', now, 'errors', '[]', 'unique_key', ukey, 'seq', seq)
            redis.call('ZADD', P .. 'ready', score(ARGV[b + 3], seq), id)
            redis.call('ZADD', P .. 'queued_at', now, id)
            count('queued', ARGV[b + 3], 1)
            if ukey ~= '' then
              local ttl = tonumber(ARGV[b + 7])
              redis.call('SET', P .. 'unique:' .. ukey, id .. '|' .. (now + ttl), 'PX', ttl)
            end
            table.insert(out, id)
            table.insert(out, 0)
          end
        end
        return out
        """

    /// ARGV: P, now, worker, lease_ms, limit. Returns up to `limit` jobs' fields (one array each), in hand-out order.
    /// Written for batches: set-wide commands (ZPOPMIN, variadic ZADD and ZREM, one count update
    /// per priority) so a job costs four hash commands of its own.
    static let lease = prelude + """
        local out = {}
        if redis.call('GET', P .. 'paused') == '1' then return out end
        for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'delayed', '-inf', now, 'LIMIT', 0, 1000)) do
          local key = P .. 'job:' .. id
          redis.call('ZREM', P .. 'delayed', id)
          redis.call('ZADD', P .. 'ready', score(redis.call('HGET', key, 'priority'), redis.call('HGET', key, 'seq')), id)
        end
        local popped = redis.call('ZPOPMIN', P .. 'ready', tonumber(ARGV[5]))
        if #popped == 0 then return out end
        local lease = now + tonumber(ARGV[4])
        local ids, leases, deadlines, moved = {}, {}, {}, {}
        for i = 1, #popped, 2 do
          local id = popped[i]
          local key = P .. 'job:' .. id
          local fields = redis.call('HMGET', key, 'priority', 'state', 'timeout_ms')
          -- An id without its hash (deleted by hand) is dropped rather than failing the script
          -- half way, which would strand the jobs already popped.
          if fields[2] then
            local from = fields[2] .. ':' .. fields[1]
            moved[from] = (moved[from] or 0) + 1
            moved['processing:' .. fields[1]] = (moved['processing:' .. fields[1]] or 0) - 1
            redis.call('HINCRBY', key, 'attempts', 1)
            redis.call('HSET', key, 'state', 'processing', 'updated_at', now, 'lease_owner', ARGV[3], 'lease_expires_at', lease, 'started_at', now)
            table.insert(ids, id)
            table.insert(leases, lease)
            table.insert(leases, id)
            table.insert(deadlines, now + tonumber(fields[3]))
            table.insert(deadlines, id)
            table.insert(out, redis.call('HGETALL', key))
          end
        end
        if #ids == 0 then return out end
        for field, n in pairs(moved) do
          if n ~= 0 then redis.call('HINCRBY', P .. 'counts', field, -n) end
        end
        redis.call('ZREM', P .. 'queued_at', unpack(ids))
        redis.call('ZADD', P .. 'processing', unpack(leases))
        redis.call('ZADD', P .. 'deadline', unpack(deadlines))
        return out
        """

    /// ARGV: P, now, id, worker, lease_ms. Returns 1 if the lease was held and is extended.
    static let heartbeat = prelude + """
        local key = P .. 'job:' .. ARGV[3]
        if redis.call('HGET', key, 'state') ~= 'processing' or redis.call('HGET', key, 'lease_owner') ~= ARGV[4]
          or tonumber(redis.call('HGET', key, 'lease_expires_at')) <= now then return 0 end
        local lease = now + tonumber(ARGV[5])
        redis.call('HSET', key, 'lease_expires_at', lease, 'updated_at', now)
        redis.call('ZADD', P .. 'processing', lease, ARGV[3])
        return 1
        """

    /// ARGV: P, now, n, then per job: id, worker, result. Returns per job {type, started_at}, or 0
    /// when that worker no longer holds its lease (the job is left as it is).
    static let complete = prelude + """
        local out, ids, moved = {}, {}, {}
        for i = 0, tonumber(ARGV[3]) - 1 do
          local id, worker = ARGV[4 + i * 3], ARGV[5 + i * 3]
          local key = P .. 'job:' .. id
          local fields = redis.call('HMGET', key, 'state', 'lease_owner', 'priority', 'type', 'started_at')
          if fields[1] ~= 'processing' or fields[2] ~= worker then
            table.insert(out, 0)
          else
            moved[fields[3]] = (moved[fields[3]] or 0) + 1
            redis.call('HSET', key, 'state', 'completed', 'updated_at', now, 'result', ARGV[6 + i * 3])
            redis.call('HDEL', key, 'lease_owner', 'lease_expires_at')
            table.insert(ids, id)
            table.insert(out, {fields[4], fields[5]})
          end
        end
        for prio, n in pairs(moved) do
          count('processing', prio, -n)
          count('completed', prio, n)
        end
        if #ids > 0 then
          redis.call('ZREM', P .. 'processing', unpack(ids))
          redis.call('ZREM', P .. 'deadline', unpack(ids))
        end
        return out
        """

    /// ARGV: P, now, id, worker, message, permanent (0/1), base_ms, cap_ms, jitter_ppm, max_dead.
    /// Returns {state, evicted ids...} or nil when the lease is lost.
    static let fail = prelude + """
        local key = P .. 'job:' .. ARGV[3]
        if redis.call('HGET', key, 'state') ~= 'processing' or redis.call('HGET', key, 'lease_owner') ~= ARGV[4] then return false end
        local state = failjob(ARGV[3], ARGV[4], ARGV[5], ARGV[6] == '1', tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]))
        local out = {state, redis.call('HGET', key, 'type')}
        for _, id in ipairs(evict(tonumber(ARGV[10]))) do table.insert(out, id) end
        return out
        """

    /// ARGV: P, now, base_ms, cap_ms, jitter_ppm, max_dead. Returns {recovered count, evicted ids...}.
    static let recover = prelude + """
        local seen, n = {}, 0
        local candidates = redis.call('ZRANGEBYSCORE', P .. 'processing', '-inf', now)
        for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'deadline', '-inf', now)) do table.insert(candidates, id) end
        for _, id in ipairs(candidates) do
          if not seen[id] then
            seen[id] = true
            local key = P .. 'job:' .. id
            local timeout = tonumber(redis.call('HGET', key, 'timeout_ms'))
            local message = 'lease expired (worker stopped renewing it)'
            if tonumber(redis.call('HGET', key, 'started_at')) + timeout <= now then message = 'timed out after ' .. timeout .. ' ms' end
            failjob(id, redis.call('HGET', key, 'lease_owner') or 'unknown', message, false, tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]))
            n = n + 1
          end
        end
        local out = {n}
        for _, id in ipairs(evict(tonumber(ARGV[6]))) do table.insert(out, id) end
        return out
        """

    /// ARGV: P, now, id. Returns 1 when a queued or retrying job was cancelled.
    static let cancel = prelude + """
        local key = P .. 'job:' .. ARGV[3]
        local state = redis.call('HGET', key, 'state')
        if state ~= 'queued' and state ~= 'retry' then return 0 end
        move(key, ARGV[3], 'cancelled')
        redis.call('ZREM', P .. 'ready', ARGV[3])
        redis.call('ZREM', P .. 'delayed', ARGV[3])
        return 1
        """

    /// ARGV: P, now, action ('retry'|'purge'), mode ('ids'|'all'|'older'), type or threshold, ids...
    static let deadLetters = prelude + """
        local candidates = {}
        if ARGV[4] == 'ids' then
          for i = 6, #ARGV do table.insert(candidates, ARGV[i]) end
        else
          candidates = redis.call('ZRANGE', P .. 'dead', 0, -1)
        end
        local n = 0
        for _, id in ipairs(candidates) do
          local key = P .. 'job:' .. id
          local selected = redis.call('HGET', key, 'state') == 'dead_letter'
          if selected and ARGV[4] == 'all' and ARGV[5] ~= '' then selected = redis.call('HGET', key, 'type') == ARGV[5] end
          if selected and ARGV[4] == 'older' then selected = tonumber(redis.call('HGET', key, 'updated_at')) < tonumber(ARGV[5]) end
          if selected then
            redis.call('ZREM', P .. 'dead', id)
            if ARGV[3] == 'retry' then
              move(key, id, 'queued')
              redis.call('HSET', key, 'attempts', 0, 'run_at', now)
              redis.call('ZADD', P .. 'ready', score(redis.call('HGET', key, 'priority'), redis.call('HGET', key, 'seq')), id)
            else
              count('dead_letter', redis.call('HGET', key, 'priority'), -1)
              redis.call('DEL', key)
            end
            n = n + 1
          end
        end
        return n
        """
}
