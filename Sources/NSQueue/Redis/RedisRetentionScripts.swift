extension RedisQueueScripts {
    /// ARGV: P, now, retention_ms, limit. Deletes up to `limit` completed or cancelled jobs that
    /// finished at least retention_ms ago, oldest first; returns how many it deleted. An entry
    /// whose job is no longer finished (or gone) only leaves the index.
    static let deleteFinished = RedisScript(prelude + """
        local due = redis.call('ZRANGEBYSCORE', P .. 'finished', '-inf', now - tonumber(ARGV[3]), 'LIMIT', 0, tonumber(ARGV[4]))
        local n = 0
        for _, id in ipairs(due) do
          local key = P .. 'job:' .. id
          local f = redis.call('HMGET', key, 'state', 'priority')
          if f[1] == 'completed' or f[1] == 'cancelled' then
            count(f[1], f[2], -1)
            redis.call('DEL', key)
            n = n + 1
          end
        end
        zremmany(P .. 'finished', due)
        return n
        """)

    /// ARGV: P, now, then job keys found by SCAN. Adds the completed and cancelled ones to
    /// `finished` at their finish time (`updated_at`): jobs finished by a build without retention
    /// were never indexed, and would otherwise stay forever. Returns how many it indexed.
    static let indexFinished = RedisScript(prelude + """
        local n = 0
        for i = 3, #ARGV do
          local f = redis.call('HMGET', ARGV[i], 'state', 'updated_at', 'created_at')
          if f[1] == 'completed' or f[1] == 'cancelled' then
            redis.call('ZADD', P .. 'finished', 'NX', tonumber(f[2] or f[3]) or now, string.sub(ARGV[i], #P + 5))
            n = n + 1
          end
        end
        return n
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
