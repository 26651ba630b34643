import NSRedis

extension RedisQueueScripts {
    /// ARGV: P, now, retention_ms, limit. Deletes up to `limit` completed or cancelled jobs that
    /// finished at least retention_ms ago, oldest first; returns how many it deleted. An entry
    /// whose job is no longer finished (or gone) only leaves the index.
    ///
    /// Frees before it adds: over `maxmemory` (`noeviction`) Redis refuses a script's first
    /// memory-growing command (HINCRBY here) until the script has written something, so the index
    /// entries go first (ZREM is always allowed) and a full Redis can still free itself.
    static let deleteFinished = RedisScript(prelude + """
        local due = redis.call('ZRANGEBYSCORE', P .. 'finished', '-inf', now - tonumber(ARGV[3]), 'LIMIT', 0, tonumber(ARGV[4]))
        if #due == 0 then return 0 end
        zremmany(P .. 'finished', due)
        local n = 0
        for _, id in ipairs(due) do
          local key = P .. 'job:' .. id
          local f = redis.call('HMGET', key, 'state', 'priority')
          if f[1] == 'completed' or f[1] == 'cancelled' then
            redis.call('DEL', key)
            count(f[1], f[2], -1)
            n = n + 1
          end
        end
        return n
        """)

    /// ARGV: P, now, retention_ms, then job keys found by SCAN. Jobs finished by a build without
    /// retention were never indexed and would otherwise stay forever: the completed and cancelled
    /// ones are added to `finished` at their finish time (`updated_at`). Returns how many.
    ///
    /// On a Redis already full when the script starts, its first ZADD is refused (see
    /// ``deleteFinished``); a record already past retention is then deleted outright, which frees
    /// memory and lets the script's later writes through, so an upgrade onto a full Redis heals.
    static let indexFinished = RedisScript(prelude + """
        local cutoff = now - tonumber(ARGV[3])
        local n = 0
        for i = 4, #ARGV do
          local f = redis.call('HMGET', ARGV[i], 'state', 'updated_at', 'created_at', 'priority')
          if f[1] == 'completed' or f[1] == 'cancelled' then
            local finished = tonumber(f[2] or f[3]) or now
            local added = redis.pcall('ZADD', P .. 'finished', 'NX', finished, string.sub(ARGV[i], #P + 5))
            if type(added) == 'table' and added.err then
              if finished > cutoff then return redis.error_reply(added.err) end
              redis.call('DEL', ARGV[i])
              count(f[1], f[4], -1)
            end
            n = n + 1
          end
        end
        return n
        """)
}
