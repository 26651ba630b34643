import NSRedis

/// The Redis backend's Lua scripts: each state change is one script, so it is atomic. Every key
/// starts with the hash-tagged prefix (`{ns}:` by default), so a Redis Cluster keeps them in one
/// slot. ARGV[1] is always the prefix and ARGV[2] the caller's clock (Unix ms).
///
/// Layout: `job:<id>` hash per job; `ready` (score priority·2^40 + seq), `delayed` (run_at),
/// `processing` (the earlier of lease expiry and attempt deadline, so one index serves recovery
/// of both), `dead` (seq) and `finished` (completed and cancelled jobs by finish time, for
/// retention) sorted sets; `unique:<key>` = "<id>|<expiry>"; `counts` hash of
/// "state:priority"; `paused`; `seq`. Queued jobs need no index of their own: they are the jobs in
/// `ready` whose state is `queued` (the rest are retries whose time has come), and within a
/// priority `seq` follows creation, so the oldest is near the front of its band.
///
/// A new job's hash holds only what is not a default, because every field costs Redis time on
/// the hottest path: no `attempts` means 0, no `errors` means `[]`, no `unique_key` means none,
/// no `updated_at` or `run_at` means `created_at`. `lease_owner` and `lease_expires_at` count only
/// while the state is `processing` (completion leaves them behind rather than spend a command).
/// Readers (``RedisJobQueue/decode(id:_:)`` and the scripts) apply the same defaults.
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
        end
        local function zaddmany(key, pairs)
          for i = 1, #pairs, 2000 do redis.call('ZADD', key, unpack(pairs, i, math.min(i + 1999, #pairs))) end
        end
        local function zremmany(key, ids)
          for i = 1, #ids, 1000 do redis.call('ZREM', key, unpack(ids, i, math.min(i + 999, #ids))) end
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
          local errors = cjson.decode(redis.call('HGET', key, 'errors') or '[]')
          table.insert(errors, {time = now, worker = worker, message = message})
          redis.call('HSET', key, 'errors', cjson.encode(errors))
          redis.call('HDEL', key, 'lease_owner', 'lease_expires_at')
          redis.call('ZREM', P .. 'processing', id)
          local attempts = tonumber(redis.call('HGET', key, 'attempts')) or 0
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
    /// Returns per job its id and 1 when an earlier job with the same live unique key answered instead.
    /// Written for batches: one INCRBY, one ZADD per sorted set and one count update per priority.
    /// Everything is decided before the first write (Redis does not undo a script that fails half
    /// way), so a call either stores each of its new jobs whole, ready to lease, or nothing.
    static let enqueue = RedisScript(prelude + """
        local n = tonumber(ARGV[3])
        local out, fresh, claimed = {}, {}, {}
        for i = 0, n - 1 do
          local b = 4 + i * 8
          local id, ukey = ARGV[b], ARGV[b + 6]
          local existing = false
          if ukey ~= '' then
            existing = claimed[ukey] or false
            if not existing then
              local held = redis.call('GET', P .. 'unique:' .. ukey)
              local sep = held and string.find(held, '|', 1, true)
              if sep and tonumber(string.sub(held, sep + 1)) > now then existing = string.sub(held, 1, sep - 1) end
            end
          end
          if existing then
            table.insert(out, existing)
            table.insert(out, 1)
          else
            if ukey ~= '' then claimed[ukey] = id end
            table.insert(fresh, b)
            table.insert(out, id)
            table.insert(out, 0)
          end
        end
        if #fresh == 0 then return out end
        local seq = redis.call('INCRBY', P .. 'seq', #fresh) - #fresh
        local ready, added, none = {}, {}, {}
        for _, b in ipairs(fresh) do
          local id, prio, ukey = ARGV[b], ARGV[b + 3], ARGV[b + 6]
          local key = P .. 'job:' .. id
          seq = seq + 1
          redis.call('HSET', key, 'type', ARGV[b + 1], 'payload', ARGV[b + 2], 'priority', prio, 'state', 'queued',
            'max_attempts', ARGV[b + 4], 'timeout_ms', ARGV[b + 5], 'created_at', ARGV[2], 'seq', seq,
            unpack(ukey == '' and none or {'unique_key', ukey}))
          if ukey ~= '' then
            local ttl = math.max(1, tonumber(ARGV[b + 7]))
            redis.call('SET', P .. 'unique:' .. ukey, id .. '|' .. (now + ttl), 'PX', ttl)
          end
          table.insert(ready, score(prio, seq))
          table.insert(ready, id)
          added[prio] = (added[prio] or 0) + 1
        end
        zaddmany(P .. 'ready', ready)
        for prio, k in pairs(added) do count('queued', prio, k) end
        return out
        """)

    /// ARGV: P, now, worker, lease_ms, limit. Returns nothing when no job is leased, else
    /// {now, lease expiry, job...} in hand-out order, each job as {id, type, payload, priority,
    /// attempts, max_attempts, timeout_ms, created_at, run_at, errors, unique_key, result}: only
    /// what the caller does not know, in fixed positions (``RedisJobQueue/decodeLeased(_:worker:)``).
    /// Written for batches: set-wide commands (ZPOPMIN, variadic ZADD and ZREM, one count update
    /// per priority) so a job costs two hash commands of its own.
    static let lease = RedisScript(prelude + """
        local out = {}
        if redis.call('GET', P .. 'paused') == '1' then return out end
        for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'delayed', '-inf', now, 'LIMIT', 0, 1000)) do
          local key = P .. 'job:' .. id
          local f = redis.call('HMGET', key, 'priority', 'seq')
          redis.call('ZREM', P .. 'delayed', id)
          redis.call('ZADD', P .. 'ready', score(f[1], f[2]), id)
        end
        local popped = redis.call('ZPOPMIN', P .. 'ready', tonumber(ARGV[5]))
        if #popped == 0 then return out end
        local lease = now + tonumber(ARGV[4])
        local ids, expiries, moved = {}, {}, {}
        out = {ARGV[2], lease}
        for i = 1, #popped, 2 do
          local id = popped[i]
          local key = P .. 'job:' .. id
          local f = redis.call('HMGET', key, 'priority', 'state', 'timeout_ms', 'attempts', 'type', 'payload', 'max_attempts',
            'created_at', 'run_at', 'errors', 'unique_key', 'result')
          -- An id without its hash (deleted by hand) is dropped rather than failing the script
          -- half way, which would strand the jobs already popped.
          if f[2] then
            local from = f[2] .. ':' .. f[1]
            moved[from] = (moved[from] or 0) + 1
            moved['processing:' .. f[1]] = (moved['processing:' .. f[1]] or 0) - 1
            local attempts = (tonumber(f[4]) or 0) + 1
            redis.call('HSET', key, 'attempts', attempts, 'state', 'processing', 'updated_at', ARGV[2], 'lease_owner', ARGV[3],
              'lease_expires_at', lease, 'started_at', ARGV[2])
            table.insert(ids, id)
            table.insert(expiries, math.min(lease, now + tonumber(f[3])))
            table.insert(expiries, id)
            table.insert(out, {id, f[5], f[6], f[1], attempts, f[7], f[3], f[8], f[9], f[10], f[11], f[12]})
          end
        end
        if #ids == 0 then return {} end
        for field, k in pairs(moved) do
          if k ~= 0 then redis.call('HINCRBY', P .. 'counts', field, -k) end
        end
        zaddmany(P .. 'processing', expiries)
        return out
        """)

    /// ARGV: P, now, id, worker, lease_ms. Returns 1 if the lease was held and is extended.
    static let heartbeat = RedisScript(prelude + """
        local key = P .. 'job:' .. ARGV[3]
        local f = redis.call('HMGET', key, 'state', 'lease_owner', 'lease_expires_at', 'started_at', 'timeout_ms')
        if f[1] ~= 'processing' or f[2] ~= ARGV[4] or tonumber(f[3]) <= now then return 0 end
        local lease = now + tonumber(ARGV[5])
        redis.call('HSET', key, 'lease_expires_at', lease, 'updated_at', now)
        redis.call('ZADD', P .. 'processing', math.min(lease, tonumber(f[4]) + tonumber(f[5])), ARGV[3])
        return 1
        """)

    /// ARGV: P, now, n, keep (1: keep the record for retention, 0: delete it), then per job: id,
    /// worker, result. Returns per job {type, started_at}, or 0 when that worker no longer holds
    /// its lease (the job is left as it is). A kept record loses its payload (emptied in the same
    /// HSET, so it costs no command) and enters `finished`.
    static let complete = RedisScript(prelude + """
        local out, ids, moved, finished = {}, {}, {}, {}
        local keep = ARGV[4] == '1'
        for i = 0, tonumber(ARGV[3]) - 1 do
          local id, worker = ARGV[5 + i * 3], ARGV[6 + i * 3]
          local key = P .. 'job:' .. id
          local fields = redis.call('HMGET', key, 'state', 'lease_owner', 'priority', 'type', 'started_at')
          if fields[1] ~= 'processing' or fields[2] ~= worker then
            table.insert(out, 0)
          else
            moved[fields[3]] = (moved[fields[3]] or 0) + 1
            if keep then
              redis.call('HSET', key, 'state', 'completed', 'updated_at', ARGV[2], 'result', ARGV[7 + i * 3], 'payload', '')
              table.insert(finished, now)
              table.insert(finished, id)
            else
              redis.call('DEL', key)
            end
            table.insert(ids, id)
            table.insert(out, {fields[4], fields[5]})
          end
        end
        for prio, n in pairs(moved) do
          count('processing', prio, -n)
          if keep then count('completed', prio, n) end
        end
        zremmany(P .. 'processing', ids)
        zaddmany(P .. 'finished', finished)
        return out
        """)

    /// ARGV: P, now, id, worker, message, permanent (0/1), base_ms, cap_ms, jitter_ppm, max_dead.
    /// Returns {state, evicted ids...} or nil when the lease is lost.
    static let fail = RedisScript(prelude + """
        local key = P .. 'job:' .. ARGV[3]
        if redis.call('HGET', key, 'state') ~= 'processing' or redis.call('HGET', key, 'lease_owner') ~= ARGV[4] then return false end
        local state = failjob(ARGV[3], ARGV[4], ARGV[5], ARGV[6] == '1', tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]))
        local out = {state, redis.call('HGET', key, 'type')}
        for _, id in ipairs(evict(tonumber(ARGV[10]))) do table.insert(out, id) end
        return out
        """)

    /// ARGV: P, now, base_ms, cap_ms, jitter_ppm, max_dead. Returns {recovered count, evicted ids...}.
    static let recover = RedisScript(prelude + """
        local n = 0
        for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'processing', '-inf', now)) do
          local key = P .. 'job:' .. id
          local timeout = tonumber(redis.call('HGET', key, 'timeout_ms'))
          local message = 'lease expired (worker stopped renewing it)'
          if tonumber(redis.call('HGET', key, 'started_at')) + timeout <= now then message = 'timed out after ' .. timeout .. ' ms' end
          failjob(id, redis.call('HGET', key, 'lease_owner') or 'unknown', message, false, tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]))
          n = n + 1
        end
        local out = {n}
        for _, id in ipairs(evict(tonumber(ARGV[6]))) do table.insert(out, id) end
        return out
        """)

    /// ARGV: P, now, id, keep (1: keep the record for retention, 0: delete it). Returns 1 when a
    /// queued or retrying job was cancelled.
    static let cancel = RedisScript(prelude + """
        local key = P .. 'job:' .. ARGV[3]
        local state = redis.call('HGET', key, 'state')
        if state ~= 'queued' and state ~= 'retry' then return 0 end
        redis.call('ZREM', P .. 'ready', ARGV[3])
        redis.call('ZREM', P .. 'delayed', ARGV[3])
        if ARGV[4] == '1' then
          move(key, ARGV[3], 'cancelled')
          redis.call('ZADD', P .. 'finished', now, ARGV[3])
        else
          count(state, redis.call('HGET', key, 'priority'), -1)
          redis.call('DEL', key)
        end
        return 1
        """)

    /// ARGV: P, now, action ('retry'|'purge'), mode ('ids'|'all'|'older'), type or threshold, ids...
    static let deadLetters = RedisScript(prelude + """
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
        """)
}
