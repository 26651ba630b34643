import Foundation
import NSCore

/// The `.env` that `nsctl secrets gen` writes: fresh secrets and keys, then every other setting
/// the seeds' deployment reads, with its default, ready for `NODE_ENV=production`.
enum EnvTemplate {
    /// The secrets `--rotate` can replace, and how each is made.
    static let rotatable: [String: @Sendable () -> String] = [
        "JWT_SECRET": { hexSecret() },
        "ADMIN_JWT_SECRET": { hexSecret() },
        "SESSION_SECRET": { hexSecret() },
        "INTERNAL_TOKEN": { hexSecret() },
        "GRAFANA_ADMIN_PASSWORD": { password() },
    ]

    /// The secrets whose old value moves to `<NAME>_PREVIOUS` on rotation: the nodes accept both
    /// values (tokens and session cookies signed with the old one, callers still sending the old
    /// internal token) while the nodes restart one by one.
    static let keepsPrevious: Set<String> = ["JWT_SECRET", "ADMIN_JWT_SECRET", "SESSION_SECRET", "INTERNAL_TOKEN"]

    /// 32 bytes from the system CSPRNG as 64 hex characters.
    static func hexSecret() -> String {
        Hex.encode(SecureRandom.bytes(32))
    }

    /// 24 characters from letters and digits (about 143 bits): strong, and safe unquoted in a
    /// dotenv file, a shell and a YAML file alike.
    static func password() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789")
        var characters: [Character] = []
        while characters.count < 24 {
            for byte in SecureRandom.bytes(32) where Int(byte) < 256 - 256 % alphabet.count && characters.count < 24 {
                characters.append(alphabet[Int(byte) % alphabet.count])  // rejection sampling keeps it uniform
            }
        }
        return String(characters)
    }

    /// The whole file; each secret carries its ``SecretStamp`` for `now`.
    static func render(now: Date) -> String {
        let stamp = { (name: String) in SecretStamp(name: name, event: .generated, date: now).line }
        let nsKey = LedgerKey(generatingNamed: "ns-node")
        let vpKey = LedgerKey(generatingNamed: "vp-node")
        return """
            # NeuroSwarm settings, written by `nsctl secrets gen` at \(now.formatted(.iso8601)).
            # Keep this file private (mode 0600) and out of version control.
            # Check it with `nsctl env check`; rotate a secret with `nsctl secrets gen --rotate NAME`.
            # The "# NAME generated|rotated <time>" lines date each secret: `nsctl env check` and
            # `nsctl health` warn when one is older than SECRET_MAX_AGE_DAYS (docs/operations.md).

            NODE_ENV=production

            # --- secrets (32 random bytes as hex unless noted) ---
            \(stamp("JWT_SECRET"))
            JWT_SECRET=\(hexSecret())
            \(stamp("ADMIN_JWT_SECRET"))
            ADMIN_JWT_SECRET=\(hexSecret())
            \(stamp("SESSION_SECRET"))
            SESSION_SECRET=\(hexSecret())
            # Bearer token of node-to-node calls; the same on every node.
            \(stamp("INTERNAL_TOKEN"))
            INTERNAL_TOKEN=\(hexSecret())
            \(stamp("GRAFANA_ADMIN_PASSWORD"))
            GRAFANA_ADMIN_PASSWORD=\(password())
            # Keys the submitter's pseudonym in transactions (gateway and vp-node); never rotated:
            # a new key gives every user a new pseudonym (docs/ledger.md, What the log publishes).
            LEDGER_SUBMITTER_KEY=\(hexSecret())

            # --- tokens: the longest lifetime (exp - iat) the nodes accept and nsctl token create mints ---
            JWT_MAX_TTL=\(TokenLifetime.text(TokenLifetime.defaultMaximum))
            # Days after which nsctl env check and nsctl health call a secret due for rotation.
            SECRET_MAX_AGE_DAYS=\(DaemonSettings.defaultSecretMaxAgeDays)

            # --- ledger keys (Ed25519 seeds, base64) and the validator set ---
            # ns-node signs checkpoints with NS_SIGNING_KEY; nsctl verify pins its public key
            # (public: it may be shared with anyone who verifies):
            NS_PUBLIC_KEY=\(nsKey.publicKey.base64)
            NS_SIGNING_KEY=\(nsKey.exportSeed())
            # vp-node signs blocks with VP_SIGNING_KEY; its public key is the genesis validator set.
            VP_SIGNING_KEY=\(vpKey.exportSeed())
            VALIDATOR_PUBLIC_KEYS=vp-node=\(vpKey.publicKey.base64)
            LEDGER_ORIGIN=\(LedgerSettings.defaultOrigin)
            MEMPOOL_MAX=100000
            # What transactions publish (anyone who reaches ns-node reads them): hash or text of the
            # sanitised preview; keyed-hash or plain JWT sub.
            LEDGER_PREVIEW=hash
            LEDGER_SUBMITTER=keyed-hash

            # --- where the nodes are (unset: the embedded defaults of `nsd run`) ---
            # NS_NODE_URL=http://ns-node:3009
            # REDIS_URL=redis://redis:6379
            # With Redis Sentinel (REDIS_URL then gives only the master's password and database):
            # REDIS_SENTINELS=sentinel-1:26379,sentinel-2:26379,sentinel-3:26379
            # REDIS_MASTER_NAME=mymaster
            # REDIS_SENTINEL_PASSWORD=  (or REDIS_SENTINEL_PASSWORD_FILE) when the sentinels require one
            # A 202 only once this many replicas hold the job (Redis WAIT; docs/queue.md):
            # REDIS_MIN_REPLICAS=1
            # REDIS_WAIT_TIMEOUT_MS=1000

            # --- gateway ---
            RATE_LIMIT_WINDOW_MS=60000
            RATE_LIMIT_MAX_REQUESTS=100
            # Browser clients: list their origins and set ENABLE_CORS=true ('*' is refused in production).
            ENABLE_CORS=false
            CORS_ORIGIN=https://app.example.com
            NS_CHECK_RETRIES=5
            NS_CHECK_EXIT_ON_FAIL=false

            # --- vp-node workers and sandbox ---
            JOB_QUEUE_WORKERS=10
            JOB_LEASE_BATCH=32
            JOB_TIMEOUT_MS=60000
            JOB_MAX_RETRIES=3
            # Completed and cancelled jobs leave the queue this long after they finish (the
            # ledger answers for them after that); size Redis for it (docs/queue.md).
            JOB_RETENTION_MS=\(DaemonSettings.defaultJobRetentionMs)
            SANDBOX_TIMEOUT_MS=5000
            SANDBOX_MAX_MEMORY_MB=128
            # auto, namespaces (refuse to start without them) or directory (docs/sandbox.md).
            SANDBOX_ISOLATION=auto

            # --- observability ---
            ENABLE_METRICS=true
            LOG_LEVEL=info

            """
    }
}
